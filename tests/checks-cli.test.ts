import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "@lignee/engine";
import { fixture } from "./support/cli";
import { createTestDatabase } from "./support/database";

/**
 * `lignee check` (the CLI in this process, as `bin.ts` runs it) against real PostgreSQL: a failed check holds the
 * downstream day in `lignee materialize`, `lignee check` re-evaluates a day without
 * materialising and lifts the hold, `--disable`/`--enable` switch a check, and bad input exits 2
 * creating nothing.
 */
let env: Record<string, string>;
let sql: pg.Client;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function lignee(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
  const saved = { ...process.env };
  Object.assign(process.env, env, extra);
  let stdout = "";
  let stderr = "";
  try {
    const code = await runCli(["--definitions", fixture("checks.ts"), ...args], {
      out: (t) => (stdout += `${t}\n`),
      err: (t) => (stderr += `${t}\n`),
      interactive: false,
    });
    return { code, stdout, stderr };
  } finally {
    process.env = saved;
  }
}

beforeAll(async () => {
  const url = await createTestDatabase();
  env = { DATABASE_URL: url };
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});

afterAll(async () => {
  await sql.end();
});

const runCount = async (): Promise<number> =>
  (await sql.query<{ n: number }>("SELECT count(*)::int AS n FROM lignee.runs")).rows[0]!.n;

describe("lignee check", () => {
  it("holds the downstream of a failed day, re-checks it alone, and switches checks", async () => {
    const built = await lignee(
      ["materialize", "--select", "demo/jours+", "--from", "2024-01-01", "--to", "2024-01-02"],
      { FAILING_DAYS: "2024-01-02" },
    );
    expect(built.code).toBe(1);
    expect(built.stderr).toContain(
      "check: Check rows_positive failed (error) on demo/jours[2024-01-02]: 0 rows",
    );
    expect(built.stdout).toMatch(/FAILURE/);

    const status = await lignee(["status", "--json"]);
    expect(status.stdout).toContain(
      "blocked by failed check demo/jours:rows_positive on partition 2024-01-02",
    );

    const runs = await runCount();
    const checked = await lignee(["check", "--select", "demo/jours", "--partition", "2024-01-02"]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/SUCCESS/);
    expect(await runCount()).toBe(runs + 1);
    const after = await lignee(["status", "--json"]);
    expect(after.stdout).not.toContain("blocked by failed check");

    const off = await lignee(["check", "--disable", "demo/jours:rows_positive"]);
    expect(off.stdout).toContain("check demo/jours:rows_positive disabled");
    const on = await lignee(["check", "--enable", "demo/jours:rows_positive"]);
    expect(on.stdout).toContain("check demo/jours:rows_positive enabled");
  });

  it("exits 2 on bad input and creates nothing", async () => {
    const runs = await runCount();
    const unknown = await lignee(["check", "--disable", "demo/jours:nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown check "nope"');
    const noCheck = await lignee(["check", "--select", "demo/resume", "--partition", "2024-01-01"]);
    expect(noCheck.code).toBe(2);
    expect(noCheck.stderr).toContain("no check to run");
    const malformed = await lignee(["check", "--enable", "rows_positive"]);
    expect(malformed.code).toBe(2);
    expect(await runCount()).toBe(runs);
    const switches = await sql.query(
      "SELECT * FROM lignee.check_switches WHERE check_name = 'nope'",
    );
    expect(switches.rows).toEqual([]);
  });
});
