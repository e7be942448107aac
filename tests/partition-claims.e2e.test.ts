import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/database";
import { fixture, lignee, startLigneeDev, type CliResult } from "./support/cli";
import { waitFor } from "./support/wait";

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

describe("a lignee materialize that dies", () => {
  it("holds its partitions and pool slot only while its lease lasts; a worker ends it FAILURE; a live one is cancelled from the API", async () => {
    // Short leases, so that a dead process is noticed within a second or two.
    const own = { ...env, LIGNEE_LEASE_MS: "1000" };
    const dev = await startLigneeDev(DEFS, own);
    try {
      const dying = lignee(
        [...DEFS, "materialize", "--select", "claims/api", "--partition", "2024-09-01"],
        { ...own, CLAIMS_HOLD_MS: "120000" },
      );
      // Once its run holds the pool, the process running it is killed without a chance to
      // clean up (the pid its run records: the CLI's own, not the launcher's).
      const pid = await waitFor(
        "the run to start",
        async () =>
          (
            await query<{ pid: number }>(
              "SELECT pid FROM lignee.runs WHERE status = 'STARTED' AND selection = 'claims/api'",
            )
          )[0]?.pid,
      );
      expect(pid).toBeDefined();
      process.kill(pid, "SIGKILL");
      expect((await dying).code).not.toBe(0);
      const [dead] = await query<{ id: string }>(
        "SELECT id FROM lignee.runs WHERE status = 'STARTED' AND selection = 'claims/api'",
      );
      // Another run of the pool, and one of the dead run's very partition, through the API.
      const post = async (partition: string): Promise<string> => {
        const res = await fetch(`${dev.url}/api/runs`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ selection: "claims/api", partition }),
        });
        expect(res.status, await res.clone().text()).toBe(201);
        return ((await res.json()) as { runId: string }).runId;
      };
      const runs = [await post("2024-09-02"), await post("2024-09-01")];
      for (const id of runs) {
        const status = await waitFor(`run ${id} to end`, async () => {
          const [run] = await query<{ status: string }>(
            `SELECT status FROM lignee.runs WHERE id = '${id}'`,
          );
          return run!.status === "SUCCESS" || run!.status === "FAILURE" ? run!.status : undefined;
        });
        expect(status, dev.output()).toBe("SUCCESS");
      }
      const [ended] = await query<{ status: string; error: string }>(
        `SELECT status, error FROM lignee.runs WHERE id = '${dead!.id}'`,
      );
      expect(ended).toMatchObject({ status: "FAILURE" });
      expect(ended!.error).toMatch(/stopped heartbeating/);
      // A live lignee materialize is cancelled from the API: its process sees the request at
      // its next heartbeat.
      const live = lignee(
        [...DEFS, "materialize", "--select", "claims/api", "--partition", "2024-09-03"],
        { ...own, CLAIMS_HOLD_MS: "120000" },
      );
      const liveId = await waitFor(
        "the live run to start",
        async () =>
          (
            await query<{ id: string }>(
              "SELECT id FROM lignee.runs WHERE status = 'STARTED' AND partition_spec->>'key' = '2024-09-03'",
            )
          )[0]?.id,
      );
      const cancel = await fetch(`${dev.url}/api/runs/${liveId}/cancel`, { method: "POST" });
      expect(await cancel.json()).toEqual({ runId: liveId, status: "CANCELING" });
      const out = await live;
      expect(out.code).toBe(1);
      expect(out.stdout).toContain(`run ${liveId} CANCELED`);
    } finally {
      await dev.stop();
    }
  }, 120_000);
});
