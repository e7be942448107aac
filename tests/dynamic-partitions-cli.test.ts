import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { fixture, lignee as run, type CliResult } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { countRows } from "./support/sql";

/**
 * `lignee partitions add|list|remove` as a user runs them (child processes, real PostgreSQL):
 * bad input exits 2 and changes nothing; `materialize` and `status` over the keys.
 */
const DEFINITIONS = ["--definitions", fixture("dynamic-partitions.ts")];
let env: Record<string, string>;
let sql: pg.Client;

const lignee = (...args: string[]): Promise<CliResult> => run([...DEFINITIONS, ...args], env);

beforeAll(async () => {
  const url = await createTestDatabase();
  env = { DATABASE_URL: url };
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});

afterAll(async () => {
  await sql.end();
});

const keyRows = (): Promise<number> => countRows(sql, "lignee.dynamic_partition_keys");

describe("lignee partitions", () => {
  it("adds, lists and removes keys; bad input exits 2 and changes nothing", async () => {
    const added = await lignee("partitions", "add", "files", "2024-07", "2024-08", "2024-09");
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain("Added 3 key(s) to files: 2024-07, 2024-08, 2024-09");

    for (const [args, message] of [
      [["add", "files", "2024-10", "2024-07"], /"2024-07" already exists/],
      [["add", "files", "2024-10", "2024-10"], /given twice/],
      [["add", "files", ""], /empty partition key/],
      [["add", "files", "x".repeat(300)], /longer than 255 characters/],
      [["add", "nope", "a"], /Unknown dynamic partitions set "nope" \(known: files\)/],
      [["remove", "files", "2024-07", "2031-01"], /"2031-01" not in the set/],
      [["list", "nope"], /Unknown dynamic partitions set "nope"/],
    ] as const) {
      const r = await lignee("partitions", ...args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(await keyRows()).toBe(3);

    const list = await lignee("partitions", "list", "files");
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.trim().split("\n")).toEqual(["2024-07", "2024-08", "2024-09"]);
    const sets = await lignee("partitions", "list", "--json");
    expect(JSON.parse(sets.stdout)).toEqual({ sets: [{ name: "files", keyCount: 3 }] });

    const removed = await lignee("partitions", "remove", "files", "2024-09");
    expect(removed.code, removed.stderr).toBe(0);
    const json = await lignee("partitions", "list", "files", "--json");
    expect(JSON.parse(json.stdout)).toEqual({
      name: "files",
      keys: [
        { key: "2024-07", index: 0 },
        { key: "2024-08", index: 1 },
      ],
    });
  });

  it("materialises current keys only and shows the others missing", async () => {
    const runs = await countRows(sql, "lignee.runs");
    for (const key of ["2031-01", "2024-09"]) {
      const bad = await lignee("materialize", "--select", "raw/files", "--partition", key);
      expect(bad.code, bad.stderr).toBe(2);
      expect(bad.stderr).toMatch(key === "2024-09" ? /was removed/ : /is not one of/);
    }
    expect(await countRows(sql, "lignee.runs")).toBe(runs);

    const ok = await lignee("materialize", "--select", "raw/files+", "--partition", "2024-07");
    expect(ok.code, ok.stderr).toBe(0);
    const status = await lignee("status", "--json");
    expect(status.code, status.stderr).toBe(0);
    const assets = (JSON.parse(status.stdout) as { assets: { key: string; counts: object }[] })
      .assets;
    expect(assets.find((a) => a.key === "raw/files")?.counts).toMatchObject({
      FRESH: 1,
      MISSING: 1,
    });
  });
});
