import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/database";
import { fixture, lignee, type CliResult } from "./support/cli";

/**
 * Two materialisations of one partition, or two runs of one pool, started at the same moment
 * by two real `lignee materialize` processes: the partition is claimed by the first and the
 * second waits for it, so neither fails and the table holds each row once; the pool's limit
 * holds across processes as it does across workers.
 */
const DEFS = ["--definitions", fixture("partition-writes.ts")];
let env: Record<string, string>;

beforeAll(async () => {
  env = { DATABASE_URL: await createTestDatabase({ migrate: false }), CLAIMS_HOLD_MS: "1500" };
});

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const both = (args: string[]): Promise<CliResult[]> =>
  Promise.all([lignee([...DEFS, ...args], env), lignee([...DEFS, ...args], env)]);

describe("two runs of one partition at once", () => {
  it("the second waits for the first: both succeed, no row twice, no retry", async () => {
    // Migrate once first, so that both processes start their runs at the same moment.
    expect((await lignee([...DEFS, "status"], env)).code).toBe(0);
    const results = await both([
      "materialize",
      "--select",
      "claims/rows",
      "--partition",
      "2024-08-01",
    ]);
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/duplicate key|retry/i);
    }
    expect(results.map((r) => r.stderr).join("\n")).toMatch(
      /Waiting for run [0-9a-f-]{36}, which is materialising claims\/rows\[2024-08-01\]/,
    );
    const rows = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM claim_rows WHERE day = '2024-08-01'",
    );
    expect(rows[0]!.n).toBe(50);
  });

  it("lignee materialize honours pools: two runs of a pool limited to 1 never overlap", async () => {
    const results = await Promise.all([
      lignee([...DEFS, "materialize", "--select", "claims/api", "--partition", "2024-08-02"], env),
      lignee([...DEFS, "materialize", "--select", "claims/api", "--partition", "2024-08-03"], env),
    ]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(results.map((r) => r.stderr).join("\n")).toMatch(
      /waiting for a slot of pool api \(limit 1\), held by run [0-9a-f-]{36}/,
    );
    const calls = await query<{ started: Date; ended: Date }>(
      "SELECT started, ended FROM claim_api_calls ORDER BY started",
    );
    expect(calls).toHaveLength(2);
    expect(calls[1]!.started.getTime()).toBeGreaterThanOrEqual(calls[0]!.ended.getTime());
  });
});
