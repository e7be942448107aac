import { randomUUID } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BACKFILL_MAX_ATTEMPTS,
  backfillRunId,
  buildExampleDefinitions,
  PostgresBackfillStore,
  prepareBackfill,
  type Definitions,
} from "@lignee/engine";
import { inParallel, lignee as run, type CliResult } from "./support/cli";
import { createTestDatabase } from "./support/database";

/**
 * `lignee backfill` as a user runs it (real child processes, real PostgreSQL, the example
 * definitions). No worker runs here: the test plays the workers' part with SQL on lignee.runs.
 */
const EXAMPLE = ["--definitions", "packages/engine/src/examples/example-definitions.ts"];
let env: Record<string, string>;
let sql: pg.Client;

const lignee = (args: string[], onSpawn?: (child: ChildProcess) => void): Promise<CliResult> =>
  run([...EXAMPLE, ...args], env, onSpawn);

beforeAll(async () => {
  const url = await createTestDatabase();
  env = { DATABASE_URL: url };
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});

afterAll(async () => {
  await sql.end();
});

const counts = async (): Promise<{ backfills: number; runs: number }> => {
  const r = await sql.query(
    `SELECT (SELECT count(*) FROM lignee.backfills)::int AS backfills,
            (SELECT count(*) FROM lignee.runs)::int AS runs`,
  );
  return r.rows[0] as { backfills: number; runs: number };
};

const runIds = async (backfillId: string): Promise<string[]> =>
  (
    await sql.query<{ id: string }>(
      `SELECT id FROM lignee.runs WHERE backfill_id = $1 ORDER BY (tags->>'lignee/chunk')::int`,
      [backfillId],
    )
  ).rows.map((r) => r.id);

const setStatus = (ids: readonly string[], status: string): Promise<unknown> =>
  sql.query(`UPDATE lignee.runs SET status = $2 WHERE id = ANY($1::text[])`, [ids, status]);

/** Waits until the backfill created by a running CLI exists, and returns its id. */
async function newBackfillSince(known: ReadonlySet<string>): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const r = await sql.query<{ id: string }>(
      `SELECT id FROM lignee.backfills WHERE status = 'RUNNING'`,
    );
    const id = r.rows.map((row) => row.id).find((x) => !known.has(x));
    if (id) return id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the CLI created no backfill");
}

const allIds = async (): Promise<Set<string>> =>
  new Set(
    (await sql.query<{ id: string }>(`SELECT id FROM lignee.backfills`)).rows.map((r) => r.id),
  );

describe("lignee backfill", () => {
  it("queues one run per chunk and returns at once with --no-wait", async () => {
    const r = await lignee([
      "backfill",
      "--select",
      "raw/events+",
      "--from",
      "2024-08-01",
      "--to",
      "2024-08-25",
      "--chunk",
      "10",
      "--no-wait",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      backfillId: string;
      status: string;
      totalChunks: number;
      progress: { partitions: Record<string, number> };
    };
    expect(out).toMatchObject({ status: "RUNNING", totalChunks: 3 });
    expect(out.progress.partitions.QUEUED).toBe(25);
    const runs = await sql.query(
      `SELECT status, asset_keys, partition_spec FROM lignee.runs WHERE backfill_id = $1
       ORDER BY created_at`,
      [out.backfillId],
    );
    expect(runs.rows.map((row) => row.partition_spec)).toEqual([
      { kind: "range", from: "2024-08-01", to: "2024-08-10" },
      { kind: "range", from: "2024-08-11", to: "2024-08-20" },
      { kind: "range", from: "2024-08-21", to: "2024-08-25" },
    ]);
    expect(runs.rows[0]).toMatchObject({
      status: "QUEUED",
      asset_keys: ["raw/events", "staging/events_clean", "marts/summary"],
    });
  });

  it("refuses bad input with exit 2 and creates nothing", async () => {
    const before = await counts();
    const cases: [string[], RegExp][] = [
      [["--select", "raw/nope", "--from", "2024-08-01", "--to", "2024-08-02"], /Unknown asset/],
      [["--select", "raw/events", "--from", "2024-02-30", "--to", "2024-08-02"], /2024-02-30/],
      [["--select", "raw/events", "--from", "2024-08-02", "--to", "2024-08-01"], /reversed/],
      [["--select", "raw/events", "--from", "2024-08-01"], /--from KEY and --to KEY/],
      [["--from", "2024-08-01", "--to", "2024-08-02"], /--select/],
      [
        ["--select", "raw/events", "--from", "2024-08-01", "--to", "2024-08-02", "--chunk", "0"],
        /positive integer/,
      ],
    ];
    const results = await inParallel(cases, ([args]) => lignee(["backfill", ...args, "--no-wait"]));
    for (const [i, [args, message]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    expect(await counts()).toEqual(before);
    const unknown = await lignee(["backfill", "show", randomUUID()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown backfill/);
  });

  it("waits, showing progress, until every run has ended: exit 0 when all succeeded", async () => {
    const known = await allIds();
    const waiting = lignee([
      "backfill",
      "--select",
      "raw/events",
      "--from",
      "2024-09-01",
      "--to",
      "2024-09-04",
      "--chunk",
      "2",
    ]);
    const id = await newBackfillSince(known);
    const ids = await runIds(id);
    expect(ids).toHaveLength(2);
    // The workers' part: one run starts, then both succeed.
    await setStatus(ids.slice(0, 1), "STARTED");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await setStatus(ids, "SUCCESS");
    const r = await waiting;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`backfill ${id} COMPLETED (4/4 partitions done)`);
    expect(r.stderr).toContain(`backfill ${id}: 4 partition(s) of raw/events`);
    // Progress while waiting: the first poll may come before or after the first run started.
    expect(r.stderr).toMatch(
      new RegExp(`backfill ${id}: 0/4 partitions done, (4 queued|2 running, 2 queued)`),
    );
    expect(r.stderr).toContain(`backfill ${id}: 4/4 partitions done`);
  });

  it("exits 1 when a run failed", async () => {
    const known = await allIds();
    const waiting = lignee([
      "backfill",
      "--select",
      "raw/events",
      "--from",
      "2024-09-10",
      "--to",
      "2024-09-12",
      "--chunk",
      "1",
      "--json",
    ]);
    const id = await newBackfillSince(known);
    const ids = await runIds(id);
    await setStatus(ids.slice(0, 2), "SUCCESS");
    await setStatus(ids.slice(2), "FAILURE");
    const r = await waiting;
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      backfillId: id,
      status: "FAILED",
      progress: { partitions: { SUCCESS: 2, FAILURE: 1 } },
    });
  });

  it("stops waiting on Ctrl-C; the backfill goes on", async () => {
    const r = await lignee(
      ["backfill", "--select", "raw/events", "--from", "2024-09-20", "--to", "2024-09-21"],
      (child) => {
        let sent = false;
        // Once it shows progress, it is waiting.
        child.stderr?.on("data", (d: Buffer) => {
          if (!sent && /partitions done/.test(d.toString())) {
            sent = true;
            child.kill("SIGINT");
          }
        });
      },
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("stopped waiting; the backfill goes on");
    const id = /backfill ([0-9a-f-]{36}) RUNNING/.exec(r.stdout)?.[1];
    expect(id, r.stdout).toBeDefined();
    const stored = await sql.query(`SELECT status FROM lignee.backfills WHERE id = $1`, [id]);
    expect(stored.rows).toEqual([{ status: "RUNNING" }]);
  });
});

describe("lignee backfill list / show / cancel", () => {
  it("lists and shows backfills, then cancels one", async () => {
    const created = await lignee([
      "backfill",
      "--select",
      "raw/events",
      "--from",
      "2024-10-01",
      "--to",
      "2024-10-03",
      "--chunk",
      "1",
      "--no-wait",
      "--json",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const { backfillId } = JSON.parse(created.stdout) as { backfillId: string };
    const ids = await runIds(backfillId);
    await setStatus(ids.slice(0, 1), "SUCCESS");
    await setStatus(ids.slice(1, 2), "STARTED");

    const list = await lignee(["backfill", "list"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(
      /^BACKFILL\s+STATUS\s+CREATED\s+SELECTION\s+RANGE\s+RUNS\s+PROGRESS/,
    );
    expect(list.stdout).toContain(backfillId);
    expect(list.stdout).toContain("1/3 partitions done, 1 running, 1 queued");
    const listed = await lignee(["backfill", "list", "--json", "--status", "running"]);
    expect(listed.code, listed.stderr).toBe(0);
    const backfills = (JSON.parse(listed.stdout) as { backfills: { id: string; status: string }[] })
      .backfills;
    expect(backfills.map((b) => b.id)).toContain(backfillId);
    expect(new Set(backfills.map((b) => b.status))).toEqual(new Set(["RUNNING"]));
    expect((await lignee(["backfill", "list", "--status", "done"])).code).toBe(2);

    const shown = await lignee(["backfill", "show", backfillId]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`Backfill ${backfillId}  RUNNING`);
    expect(shown.stdout).toContain("2024-10-01…2024-10-03 in 3 run(s) of up to 1 partition(s)");
    expect(shown.stdout).toMatch(new RegExp(`1\\s+2024-10-01\\s+SUCCESS\\s+${ids[0]}`));
    const json = await lignee(["backfill", "show", backfillId, "--json"]);
    const detail = JSON.parse(json.stdout) as {
      backfill: { status: string };
      runs: { id: string; status: string }[];
    };
    expect(detail.runs.map((r) => [r.id, r.status])).toEqual([
      [ids[0], "SUCCESS"],
      [ids[1], "STARTED"],
      [ids[2], "QUEUED"],
    ]);

    const canceled = await lignee(["backfill", "cancel", backfillId]);
    expect(canceled.code, canceled.stderr).toBe(0);
    expect(canceled.stdout).toBe(
      `backfill ${backfillId} CANCELED: 1 queued run(s) cancelled, 1 started run(s) asked to stop\n`,
    );
    const after = await sql.query(
      `SELECT id, status, cancel_requested FROM lignee.runs WHERE backfill_id = $1`,
      [backfillId],
    );
    expect(
      Object.fromEntries(after.rows.map((r) => [r.id, [r.status, r.cancel_requested]])),
    ).toEqual({
      [ids[0]!]: ["SUCCESS", false],
      [ids[1]!]: ["STARTED", true],
      [ids[2]!]: ["CANCELED", false],
    });
    const again = await lignee(["backfill", "cancel", backfillId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`backfill ${backfillId} is already CANCELED`);
    expect((await lignee(["backfill", "cancel", randomUUID()])).code).toBe(2);
  });
});

describe("lignee backfill resume", () => {
  it("queues the runs an interrupted creation did not, without duplicates", async () => {
    // A creation interrupted after the first two of five runs (as a killed process leaves it).
    const definitions = buildExampleDefinitions() as Definitions<unknown>;
    const prepared = prepareBackfill(
      definitions,
      { selection: "raw/events", from: "2024-11-01", to: "2024-11-05", chunkSize: 1 },
      new Date(),
    );
    const store = PostgresBackfillStore.connect(env.DATABASE_URL!);
    const id = randomUUID();
    try {
      await store.createBackfill({
        id,
        selection: prepared.selection,
        fromKey: prepared.fromKey,
        toKey: prepared.toKey,
        chunkSize: 1,
        totalChunks: 5,
        tags: {},
      });
      await store.enqueueChunks(
        id,
        {
          selection: prepared.selection,
          assetKeys: prepared.assetKeys,
          pools: [],
          maxAttempts: BACKFILL_MAX_ATTEMPTS,
          tags: {},
        },
        prepared.chunks.slice(0, 2).map((c) => ({ ...c, runId: backfillRunId(id, c.index) })),
      );
    } finally {
      await store.close();
    }
    const listed = await lignee(["backfill", "list"]);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+REQUESTED`));
    expect(listed.stdout).toContain("2/5 runs created");

    const resumed = await lignee(["backfill", "resume", id, "--no-wait"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`backfill ${id}: 3 missing run(s) queued`);
    expect(resumed.stdout).toContain(`backfill ${id} RUNNING`);
    const ids = await runIds(id);
    expect(ids).toEqual([0, 1, 2, 3, 4].map((i) => backfillRunId(id, i)));

    const again = await lignee(["backfill", "resume", id, "--no-wait", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ backfillId: id, status: "RUNNING" });
    expect(await runIds(id)).toHaveLength(5);
  });
});
