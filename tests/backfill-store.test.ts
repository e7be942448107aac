import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BACKFILL_MAX_ATTEMPTS,
  BACKFILL_TAG,
  backfillRunId,
  buildExampleDefinitions,
  CHUNK_TAG,
  launchBackfill,
  PARTITION_COUNT_TAG,
  PostgresAutomationStore,
  PostgresBackfillStore,
  PostgresStorage,
  prepareBackfill,
  resumeBackfill,
  resumeInterruptedBackfills,
  Scheduler,
  UnknownBackfillError,
  type BackfillStore,
  type Definitions,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";

/**
 * The backfill store against a real PostgreSQL server: runs created in bulk, resumed without
 * duplicates, progress and statuses computed from the runs, cancellation. The workers' part
 * (claiming and finishing runs) is played by SQL on `lignee.runs`.
 */
const definitions = buildExampleDefinitions() as Definitions<unknown>;
const now = new Date("2027-01-15T12:00:00Z");
let store: BackfillStore;
let sql: pg.Client;
let url: string;

beforeAll(async () => {
  url = await createTestDatabase();
  store = PostgresBackfillStore.connect(url);
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});

afterAll(async () => {
  await sql.end();
  await store.close();
});

const prepare = (from: string, to: string, chunkSize?: number, selection = "raw/events+") =>
  prepareBackfill(
    definitions,
    { selection, from, to, ...(chunkSize !== undefined ? { chunkSize } : {}) },
    now,
  );

/** A backfill recorded as its creation starts, before any of its runs is queued. */
async function recordBackfill(
  prepared: ReturnType<typeof prepare>,
  tags: Record<string, string> = {},
): Promise<string> {
  const id = randomUUID();
  await store.createBackfill({
    id,
    selection: prepared.selection,
    fromKey: prepared.fromKey,
    toKey: prepared.toKey,
    chunkSize: prepared.chunkSize,
    totalChunks: prepared.chunks.length,
    tags,
  });
  return id;
}

interface RunRow {
  id: string;
  status: string;
  selection: string;
  asset_keys: string[];
  partition_spec: Record<string, unknown>;
  tags: Record<string, string>;
  max_attempts: number;
  pools: string[];
  backfill_id: string;
  cancel_requested: boolean;
}

const runsOf = async (backfillId: string): Promise<RunRow[]> =>
  (
    await sql.query<RunRow>(
      `SELECT * FROM lignee.runs WHERE backfill_id = $1 ORDER BY created_at, id`,
      [backfillId],
    )
  ).rows;

/** What a worker does: claim (STARTED) or finish runs. */
const setStatus = async (ids: readonly string[], status: string): Promise<void> => {
  await sql.query(
    `UPDATE lignee.runs SET status = $2,
       started_at = coalesce(started_at, now()),
       ended_at = CASE WHEN $2 IN ('SUCCESS', 'FAILURE', 'CANCELED') THEN now() END
     WHERE id = ANY($1::text[])`,
    [ids, status],
  );
};

describe("creating a backfill", () => {
  it("queues one run per chunk, with the backfill's id, a range spec and deterministic ids", async () => {
    const prepared = prepare("2024-06-01", "2024-06-25");
    const backfill = await launchBackfill(store, prepared, { tags: { team: "data" } });
    expect(backfill).toMatchObject({
      status: "RUNNING",
      selection: "raw/events+",
      fromKey: "2024-06-01",
      toKey: "2024-06-25",
      chunkSize: 10,
      totalChunks: 3,
      tags: { team: "data" },
      error: null,
    });
    expect(backfill.progress).toMatchObject({
      totalChunks: 3,
      createdChunks: 3,
      totalPartitions: 25,
      runs: { QUEUED: 3 },
      partitions: { QUEUED: 25 },
      finished: false,
    });

    const runs = await runsOf(backfill.id);
    expect(runs.map((r) => r.id)).toEqual([0, 1, 2].map((i) => backfillRunId(backfill.id, i)));
    expect(runs.map((r) => r.partition_spec)).toEqual([
      { kind: "range", from: "2024-06-01", to: "2024-06-10" },
      { kind: "range", from: "2024-06-11", to: "2024-06-20" },
      { kind: "range", from: "2024-06-21", to: "2024-06-25" },
    ]);
    expect(runs[2]).toMatchObject({
      status: "QUEUED",
      selection: "raw/events+",
      asset_keys: ["raw/events", "staging/events_clean", "marts/summary"],
      max_attempts: BACKFILL_MAX_ATTEMPTS,
      pools: [],
      backfill_id: backfill.id,
      cancel_requested: false,
      tags: {
        team: "data",
        [BACKFILL_TAG]: backfill.id,
        [CHUNK_TAG]: "2",
        [PARTITION_COUNT_TAG]: "5",
      },
    });

    const listed = await store.listRuns(backfill.id);
    expect(listed.map((r) => [r.chunk, r.from, r.to, r.partitionCount, r.status])).toEqual([
      [0, "2024-06-01", "2024-06-10", 10, "QUEUED"],
      [1, "2024-06-11", "2024-06-20", 10, "QUEUED"],
      [2, "2024-06-21", "2024-06-25", 5, "QUEUED"],
    ]);
    expect(
      (await store.listRuns(backfill.id, { limit: 1, offset: 1 })).map((r) => r.chunk),
    ).toEqual([1]);
  });

  // Its speed is measured by `pnpm bench scale` (enqueue), not asserted here.
  it("queues 900 runs (chunks of one partition) at once, in partition order", async () => {
    const prepared = prepare("2024-06-01", "2026-11-17", 1, "raw/events");
    expect(prepared.chunks).toHaveLength(900);
    const backfill = await launchBackfill(store, prepared);
    expect(backfill.status).toBe("RUNNING");
    expect(backfill.progress.runs.QUEUED).toBe(900);
    // The queue takes the oldest run first: chunks come out in partition order.
    const runs = await runsOf(backfill.id);
    expect(runs.map((r) => r.partition_spec.from)).toEqual(prepared.chunks.map((c) => c.from));
  });
});

describe("an interrupted creation", () => {
  it("stays REQUESTED, and resuming queues only the missing runs", async () => {
    const prepared = prepare("2024-07-01", "2024-07-30", 3);
    // The creation stopped after the first four runs.
    const id = await recordBackfill(prepared);
    const template = {
      selection: prepared.selection,
      assetKeys: prepared.assetKeys,
      pools: [],
      maxAttempts: BACKFILL_MAX_ATTEMPTS,
      tags: {},
    };
    const chunks = prepared.chunks.map((c) => ({ ...c, runId: backfillRunId(id, c.index) }));
    expect(await store.enqueueChunks(id, template, chunks.slice(0, 4))).toBe(4);
    // One of them already ran: resuming must not touch it.
    await setStatus([backfillRunId(id, 0)], "SUCCESS");

    const interrupted = await store.getBackfill(id);
    expect(interrupted?.status).toBe("REQUESTED");
    expect(interrupted?.progress).toMatchObject({ totalChunks: 10, createdChunks: 4 });
    expect(interrupted?.progress.finished).toBe(false);
    expect((await store.listInterrupted(0)).map((b) => b.id)).toContain(id);
    expect((await store.listInterrupted(60_000)).map((b) => b.id)).not.toContain(id);

    // Two resumers at once (a CLI and a server, say): still one run per chunk.
    const [a, b] = await Promise.all([
      resumeBackfill(definitions, store, id, now, { batchSize: 2 }),
      resumeBackfill(definitions, store, id, now, { batchSize: 3 }),
    ]);
    expect(a.status).toBe("RUNNING");
    expect(b.status).toBe("RUNNING");
    const runs = await runsOf(id);
    expect(runs).toHaveLength(10);
    expect(new Set(runs.map((r) => r.id)).size).toBe(10);
    expect(runs.filter((r) => r.status === "SUCCESS").map((r) => r.id)).toEqual([
      backfillRunId(id, 0),
    ]);
    const resumed = await store.getBackfill(id);
    expect(resumed?.progress).toMatchObject({
      createdChunks: 10,
      runs: { SUCCESS: 1, QUEUED: 9 },
      partitions: { SUCCESS: 3, QUEUED: 27 },
    });
    expect((await store.listInterrupted(0)).map((x) => x.id)).not.toContain(id);
    // Resuming a RUNNING backfill changes nothing.
    expect((await resumeBackfill(definitions, store, id, now)).progress.createdChunks).toBe(10);
  });

  it("is resumed automatically once idle; an unknown backfill cannot be resumed", async () => {
    const prepared = prepare("2024-08-01", "2024-08-05", 1);
    const id = await recordBackfill(prepared, { origin: "test" });
    const resumed = await resumeInterruptedBackfills(definitions, store, { now, idleMs: 0 });
    expect(resumed).toContain(id);
    const backfill = await store.getBackfill(id);
    expect(backfill).toMatchObject({ status: "RUNNING", progress: { createdChunks: 5 } });
    expect((await runsOf(id))[0]?.tags).toMatchObject({ origin: "test", [BACKFILL_TAG]: id });
    await expect(resumeBackfill(definitions, store, randomUUID(), now)).rejects.toThrow(
      UnknownBackfillError,
    );
  });
});

describe("the scheduler", () => {
  it("finishes, at its next evaluation, a creation interrupted while no server starts", async () => {
    const prepared = prepare("2024-10-01", "2024-10-03", 1);
    const id = await recordBackfill(prepared);
    const storage = PostgresStorage.connect(url);
    const automation = PostgresAutomationStore.connect(url);
    try {
      const scheduler = new Scheduler({
        definitions,
        storage,
        store: automation,
        backfills: store,
        backfillIdleMs: 0,
        log: () => undefined,
      });
      const report = await scheduler.evaluate(now);
      expect(report.resumedBackfills).toContain(id);
      expect(await runsOf(id)).toHaveLength(3);
      expect((await store.getBackfill(id))?.status).toBe("RUNNING");
    } finally {
      await automation.close();
      await storage.close();
    }
  });
});

describe("statuses", () => {
  it("settles COMPLETED when every run succeeded, FAILED when one did not", async () => {
    const ok = await launchBackfill(store, prepare("2024-09-01", "2024-09-04", 2));
    const ko = await launchBackfill(store, prepare("2024-09-01", "2024-09-04", 2));
    const okRuns = (await runsOf(ok.id)).map((r) => r.id);
    const koRuns = (await runsOf(ko.id)).map((r) => r.id);

    await setStatus(okRuns.slice(0, 1), "STARTED");
    expect((await store.getBackfill(ok.id))?.progress).toMatchObject({
      runs: { STARTED: 1, QUEUED: 1 },
      partitions: { STARTED: 2, QUEUED: 2 },
    });
    await setStatus(okRuns, "SUCCESS");
    await setStatus(koRuns.slice(0, 1), "SUCCESS");
    await setStatus(koRuns.slice(1), "FAILURE");

    const completed = await store.listBackfills({ status: "COMPLETED", limit: 500 });
    expect(completed.map((b) => b.id)).toContain(ok.id);
    expect(completed.map((b) => b.id)).not.toContain(ko.id);
    expect(await store.getBackfill(ok.id)).toMatchObject({
      status: "COMPLETED",
      progress: { finished: true, partitions: { SUCCESS: 4 } },
    });
    expect(await store.getBackfill(ko.id)).toMatchObject({
      status: "FAILED",
      progress: { runs: { SUCCESS: 1, FAILURE: 1 } },
    });
    // The status is recorded, not only computed.
    const stored = await sql.query(`SELECT status FROM lignee.backfills WHERE id = $1`, [ko.id]);
    expect(stored.rows[0]).toEqual({ status: "FAILED" });
  });

  it("lists backfills newest first", async () => {
    const first = await launchBackfill(store, prepare("2024-10-01", "2024-10-01"));
    const second = await launchBackfill(store, prepare("2024-10-02", "2024-10-02"));
    const ids = (await store.listBackfills({ limit: 500 })).map((b) => b.id);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
    expect(await store.listBackfills({ limit: 1 })).toHaveLength(1);
    expect(await store.getBackfill(randomUUID())).toBeUndefined();
  });
});

describe("cancelling", () => {
  it("cancels queued runs, asks started ones to stop, and queues nothing more", async () => {
    const backfill = await launchBackfill(store, prepare("2024-11-01", "2024-11-05", 1));
    const ids = (await runsOf(backfill.id)).map((r) => r.id);
    await setStatus(ids.slice(0, 1), "SUCCESS");
    await setStatus(ids.slice(1, 2), "STARTED");

    expect(await store.cancel(backfill.id)).toEqual({
      kind: "canceled",
      canceledRuns: 3,
      cancelingRuns: 1,
    });
    const runs = await runsOf(backfill.id);
    expect(runs.map((r) => [r.status, r.cancel_requested])).toEqual([
      ["SUCCESS", false],
      ["STARTED", true],
      ["CANCELED", false],
      ["CANCELED", false],
      ["CANCELED", false],
    ]);
    const events = await sql.query(
      `SELECT type FROM lignee.events WHERE run_id = ANY($1::text[])`,
      [ids.slice(2)],
    );
    expect(events.rows).toEqual([
      { type: "RUN_CANCELED" },
      { type: "RUN_CANCELED" },
      { type: "RUN_CANCELED" },
    ]);
    expect(await store.getBackfill(backfill.id)).toMatchObject({
      status: "CANCELED",
      progress: { canceling: 1, runs: { CANCELED: 3, STARTED: 1, SUCCESS: 1 } },
    });

    // The started run stops; the backfill stays CANCELED.
    await setStatus(ids.slice(1, 2), "CANCELED");
    expect((await store.getBackfill(backfill.id))?.status).toBe("CANCELED");
    expect(await store.cancel(backfill.id)).toEqual({ kind: "finished", status: "CANCELED" });
    expect(await store.cancel(randomUUID())).toBeUndefined();
  });

  it("stops an interrupted creation: resuming a CANCELED backfill queues nothing", async () => {
    const prepared = prepare("2024-12-01", "2024-12-04", 1);
    const id = await recordBackfill(prepared);
    expect(await store.cancel(id)).toEqual({ kind: "canceled", canceledRuns: 0, cancelingRuns: 0 });
    const template = {
      selection: prepared.selection,
      assetKeys: prepared.assetKeys,
      pools: [],
      maxAttempts: 1,
      tags: {},
    };
    const chunks = prepared.chunks.map((c) => ({ ...c, runId: backfillRunId(id, c.index) }));
    expect(await store.enqueueChunks(id, template, chunks)).toBe(0);
    expect((await resumeBackfill(definitions, store, id, now)).status).toBe("CANCELED");
    expect(await runsOf(id)).toEqual([]);
  });

  it("a finished backfill is not cancelled", async () => {
    const backfill = await launchBackfill(store, prepare("2025-01-01", "2025-01-02"));
    await setStatus(
      (await runsOf(backfill.id)).map((r) => r.id),
      "SUCCESS",
    );
    expect(await store.cancel(backfill.id)).toEqual({ kind: "finished", status: "COMPLETED" });
  });
});
