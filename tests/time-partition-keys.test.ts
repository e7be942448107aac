import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Definitions } from "@lignee/engine";
import { fixture, inParallel, lignee as run, type CliResult } from "./support/cli";
import { openTestApi, type TestApi } from "./support/api";
import { createTestDatabase } from "./support/database";
import { countRows } from "./support/sql";

/**
 * Bad hourly, weekly, monthly and (day, région) keys, wherever a user types them: `lignee materialize`,
 * `lignee backfill` and the API refuse them with one clear line (exit 2, 400) and create
 * nothing; good keys, the repeated hour of 2025-10-26 among them, are accepted.
 */
const DEFINITIONS = fixture("time-partitions.ts");
let env: Record<string, string>;
let sql: pg.Client;
let api: TestApi;

const lignee = (args: string[]): Promise<CliResult> =>
  run(["--definitions", DEFINITIONS, ...args], env);

beforeAll(async () => {
  const url = await createTestDatabase();
  env = { DATABASE_URL: url };
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
  const definitions = ((await import(DEFINITIONS)) as { default: Definitions<unknown> }).default;
  api = await openTestApi(definitions);
});

afterAll(async () => {
  await sql.end();
  await api.close();
});

const counts = async (): Promise<{ runs: number; backfills: number }> => ({
  runs: await countRows(sql, "lignee.runs"),
  backfills: await countRows(sql, "lignee.backfills"),
});

const BAD: [select: string, key: string, message: RegExp][] = [
  ["meter/hours", "2025-03-30-02:00", /does not exist in Europe\/Paris/],
  [
    "meter/hours",
    "2025-10-26-02:00",
    /happens twice in Europe\/Paris: write 2025-10-26-02:00\+02:00 or 2025-10-26-02:00\+01:00/,
  ],
  ["meter/hours", "2025-08-01-14:30", /minute 00/],
  ["meter/hours", "2025-08-01", /YYYY-MM-DD-HH:mm/],
  ["meter/weeks", "2025-03-26", /first day, a Monday \(2025-03-24/],
  ["meter/months", "2025-03-02", /first day \(2025-03-01\)/],
  ["meter/months", "2025-02-30", /YYYY-MM-DD/],
  ["meter/hours", "2024-12-31-23:00", /out of range/],
  ["meter/regions", "2025-08-01", /expected date\|region, e.g. 2025-01-01\|11/],
  ["meter/regions", "2025-08-01|75", /region: expected one of 11, 84/],
  ["meter/regions", "84|2025-08-01", /date: not a valid YYYY-MM-DD date/],
];

describe("bad time partition keys", () => {
  it("lignee materialize --partition: exit 2, one line, no run", async () => {
    const results = await inParallel(BAD, ([select, key]) =>
      lignee(["materialize", "--select", select, "--partition", key]),
    );
    for (const [i, [select, key, message]] of BAD.entries()) {
      const r = results[i]!;
      expect(r.code, `${select} ${key}\n${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(await counts()).toEqual({ runs: 0, backfills: 0 });
  });

  it("lignee backfill --from/--to: exit 2, no backfill and no run", async () => {
    const cases: string[][] = [
      ["--select", "meter/hours", "--from", "2025-03-30-02:00", "--to", "2025-03-30-05:00"],
      ["--select", "meter/hours", "--from", "2025-10-26-00:00", "--to", "2025-10-26-02:00"],
      ["--select", "meter/weeks", "--from", "2025-03-24", "--to", "2025-03-30"],
      ["--select", "meter/months", "--from", "2025-03-01", "--to", "2025-04-15"],
      // Hours and days do not share keys: one range cannot cut both.
      ["--select", "meter/hours+", "--from", "2025-03-01-00:00", "--to", "2025-03-01-05:00"],
    ];
    const results = await inParallel(cases, (args) => lignee(["backfill", ...args, "--no-wait"]));
    for (const [i, args] of cases.entries()) {
      expect(results[i]!.code, `${args.join(" ")}\n${results[i]!.stderr}`).toBe(2);
    }
    expect(results[0]!.stderr).toMatch(/does not exist/);
    expect(results[1]!.stderr).toMatch(/happens twice/);
    expect(results[2]!.stderr).toMatch(/a Monday/);
    expect(results[3]!.stderr).toMatch(/first day/);
    expect(await counts()).toEqual({ runs: 0, backfills: 0 });
  });

  it("the API answers 400 to runs, partitions and backfills, and creates nothing", async () => {
    for (const [select, key, message] of BAD) {
      const r = await api.post("/api/runs", { selection: select, partition: key });
      expect(r.status, `${select} ${key}`).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(message);
    }
    const detail = await api.get(
      `/api/assets/meter/hours/partitions/${encodeURIComponent("2025-10-26-02:00")}`,
    );
    expect(detail.status).toBe(400);
    for (const [select, key, message] of BAD) {
      const r = await api.post("/api/backfills", { selection: select, from: key, to: key });
      expect(r.status, `${select} ${key}`).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(message);
    }
    expect(await api.count("runs")).toBe(0);
    expect(await api.count("backfills")).toBe(0);
  });

  it("accepts both 02:00 of 2025-10-26 as two partitions", async () => {
    for (const key of ["2025-10-26-02:00+02:00", "2025-10-26-02:00+01:00"]) {
      const r = await lignee(["materialize", "--select", "meter/hours", "--partition", key]);
      expect(r.code, r.stderr).toBe(0);
    }
    const rows = await sql.query<{ partition_key: string }>(
      `SELECT DISTINCT partition_key FROM lignee.materializations ORDER BY 1`,
    );
    expect(rows.rows.map((row) => row.partition_key)).toEqual([
      "2025-10-26-02:00+01:00",
      "2025-10-26-02:00+02:00",
    ]);
  });

  it("accepts a (day, région) key", async () => {
    const r = await lignee([
      "materialize",
      "--select",
      "meter/regions",
      "--partition",
      "2025-08-01|84",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = await sql.query<{ partition_key: string }>(
      `SELECT partition_key FROM lignee.materializations WHERE asset_key = 'meter/regions'`,
    );
    expect(rows.rows).toEqual([{ partition_key: "2025-08-01|84" }]);
  });
});
