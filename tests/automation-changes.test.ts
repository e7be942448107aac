import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import {
  buildExampleDefinitions,
  CHANGES_CHANNEL,
  Definitions,
  executeRun,
  PostgresAutomationStore,
  PostgresStorage,
  prepareRun,
  Scheduler,
  type PartitionRequest,
  type SchedulerReport,
} from "@lignee/engine";
import { fixture, lignee } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { connectSql } from "./support/sql";
import { sleep, waitFor } from "./support/wait";

/**
 * The scheduler's eager automation follows committed changes (NOTIFY on commit, a LISTEN
 * connection of its own) instead of waiting for its next interval: a real scheduler loop and
 * real PostgreSQL; the materialisations are committed by another process or other connections.
 */

/** An interval no test waits for: whatever happens before it came from a notification. */
const LONG_INTERVAL_MS = 600_000;

const definitions = Definitions.create({
  assets: buildExampleDefinitions().assets.map((a) =>
    a.key === "staging/events_clean" || a.key === "marts/summary"
      ? { ...a, automation: "eager" as const }
      : a,
  ),
}) as Definitions<unknown>;

interface Running {
  readonly url: string;
  readonly sql: pg.Client;
  /** A storage of its own: other connections than the scheduler's. */
  readonly other: PostgresStorage;
  readonly reports: SchedulerReport[];
  readonly startedAt: number;
  stop(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A scheduler loop on a fresh database, once its listening connection is up. */
async function startScheduler(intervalMs: number): Promise<Running> {
  const url = await createTestDatabase();
  const sql = await connectSql(url);
  const other = PostgresStorage.connect(url);
  const storage = PostgresStorage.connect(url);
  const store = PostgresAutomationStore.connect(url);
  const reports: SchedulerReport[] = [];
  const controller = new AbortController();
  const scheduler = new Scheduler({
    definitions,
    storage,
    store,
    intervalMs,
    log: () => undefined,
    onEvaluated: (report) => reports.push(report),
  });
  const startedAt = Date.now();
  const done = scheduler.run(controller.signal);
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      controller.abort();
      await done;
      await Promise.all([store.close(), storage.close(), other.close(), sql.end()]);
    })());
  cleanups.push(stop);
  await listenerPid(sql);
  // The first evaluation (of everything) is over: nothing to do yet.
  await waitFor("the first evaluation", async () => (reports.length > 0 ? true : undefined));
  return { url, sql, other, reports, startedAt, stop };
}

/** The backend of the scheduler's listening connection, once it listens. */
async function listenerPid(sql: pg.Client, not?: number): Promise<number> {
  return waitFor("the scheduler's LISTEN connection", async () => {
    const rows = await sql.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'lignee scheduler'
         AND query LIKE 'LISTEN%' AND pid <> $1`,
      [not ?? 0],
    );
    return rows.rows[0]?.pid;
  });
}

async function materialize(
  storage: PostgresStorage,
  selection: string,
  partitions: PartitionRequest,
): Promise<void> {
  const prepared = prepareRun(definitions, { selection, partitions }, new Date());
  const result = await executeRun({ definitions, storage, prepared });
  expect(result.outcome).toBe("SUCCESS");
}

interface EagerRun {
  id: string;
  status: string;
  selection: string;
  partition_spec: unknown;
}

const eagerRuns = async (sql: pg.Client): Promise<EagerRun[]> =>
  (
    await sql.query<EagerRun>(
      `SELECT id, status, selection, partition_spec FROM lignee.runs
       WHERE tags->>'trigger' = 'eager' ORDER BY created_at`,
    )
  ).rows;

/** Waits (generously, well within the long interval) for the eager runs to number `n`. */
const eagerRunsReach = (sql: pg.Client, n: number): Promise<EagerRun[]> =>
  waitFor(
    `${n} eager run(s)`,
    async () => {
      const runs = await eagerRuns(sql);
      return runs.length >= n ? runs : undefined;
    },
    20_000,
  );

describe("eager automation follows committed changes", () => {
  it("a materialisation and a run's end are announced when they commit", async () => {
    const url = await createTestDatabase();
    const sql = await connectSql(url);
    const storage = PostgresStorage.connect(url);
    cleanups.push(async () => {
      await storage.close();
      await sql.end();
    });
    const heard: string[] = [];
    sql.on("notification", (m) => heard.push(`${m.channel} ${m.payload ?? ""}`));
    await sql.query(`LISTEN ${CHANGES_CHANNEL}`);
    const prepared = prepareRun(
      definitions,
      { selection: "raw/events", partitions: { kind: "single", key: "2024-08-01" } },
      new Date(),
    );
    const result = await executeRun({ definitions, storage, prepared });
    expect(result.outcome).toBe("SUCCESS");
    await waitFor("two notifications", async () => (heard.length >= 2 ? true : undefined));
    expect(heard).toEqual([`lignee_changes raw/events`, `lignee_changes run:${result.runId}`]);
  });

  it("a materialisation committed by another process queues the downstream run long before the interval", async () => {
    const s = await startScheduler(LONG_INTERVAL_MS);
    await materialize(s.other, "ref/countries", { kind: "none" });
    const r = await lignee(
      [
        ...["--definitions", fixture("automation-eager.ts"), "materialize"],
        ...["--select", "raw/events", "--partition", "2024-08-01"],
      ],
      { DATABASE_URL: s.url },
    );
    expect(r.code, r.stderr).toBe(0);
    // The evaluation that queues it is over (its run is visible a moment before).
    const queuedBy = await waitFor(
      "an evaluation that queued a run",
      async () => s.reports.find((r) => r.eager?.runId !== undefined),
      20_000,
    );
    expect(Date.now() - s.startedAt).toBeLessThan(LONG_INTERVAL_MS);
    const runs = await eagerRuns(s.sql);
    expect(runs.map((r) => [r.id, r.status, r.selection, r.partition_spec])).toEqual([
      [
        queuedBy.eager!.runId,
        "QUEUED",
        "staging/events_clean,marts/summary",
        { kind: "single", key: "2024-08-01" },
      ],
    ]);
    // Only the first evaluation was of everything: the run came from a change.
    expect(queuedBy.trigger).toBe("change");
    expect(s.reports.filter((r) => r.trigger === "interval")).toHaveLength(1);
  });

  it("with nothing committed, evaluates at the interval only", async () => {
    const intervalMs = 1_000;
    const s = await startScheduler(intervalMs);
    // Writes that are no materialisation nor a run's end: the scheduler's own, other tables.
    await s.sql.query(
      `INSERT INTO lignee.sensor_ticks (sensor, status, cursor, run_ids, message)
       VALUES ('other', 'SKIPPED', NULL, '[]'::jsonb, 'unrelated')`,
    );
    await sleep(3_500);
    const elapsed = Date.now() - s.startedAt;
    await s.stop();
    expect(s.reports.filter((r) => r.trigger === "change")).toEqual([]);
    expect(s.reports.length).toBeGreaterThanOrEqual(2);
    expect(s.reports.length).toBeLessThanOrEqual(Math.floor(elapsed / intervalMs) + 1);
  });

  it("a burst of commits makes a few evaluations, not one each", async () => {
    const s = await startScheduler(LONG_INTERVAL_MS);
    const started = Date.now();
    await materialize(s.other, "ref/countries", { kind: "none" });
    // 30 commits of raw/events, one per partition, one run each, as fast as they go.
    for (let day = 1; day <= 30; day++) {
      const key = `2024-07-${String(day).padStart(2, "0")}`;
      await materialize(s.other, "raw/events", { kind: "single", key });
    }
    const runs = await eagerRunsReach(s.sql, 1);
    await sleep(500);
    const changes = s.reports.filter((r) => r.trigger === "change").length;
    const elapsed = Date.now() - started;
    expect(changes).toBeGreaterThan(0);
    // 31 runs, each committing a materialisation and its end: 62 notifications, gathered into
    // one evaluation per 250 ms at most, however slow the machine.
    expect(changes).toBeLessThanOrEqual(Math.floor(elapsed / 250) + 1);
    expect(changes).toBeLessThan(62);
    expect(runs[0]!.selection).toBe("staging/events_clean,marts/summary");
  });

  it("a dropped LISTEN connection is re-established and notifications work again", async () => {
    const s = await startScheduler(LONG_INTERVAL_MS);
    const pid = await listenerPid(s.sql);
    await s.sql.query("SELECT pg_terminate_backend($1)", [pid]);
    const again = await listenerPid(s.sql, pid);
    expect(again).not.toBe(pid);
    // Whatever was committed while it was away is looked at once it listens again.
    await waitFor("an evaluation after the reconnection", async () =>
      s.reports.some((r) => r.trigger === "change") ? true : undefined,
    );

    await materialize(s.other, "ref/countries", { kind: "none" });
    await materialize(s.other, "raw/events", { kind: "single", key: "2024-08-02" });
    const runs = await eagerRunsReach(s.sql, 1);
    expect(Date.now() - s.startedAt).toBeLessThan(LONG_INTERVAL_MS);
    expect(runs.map((r) => r.partition_spec)).toEqual([{ kind: "single", key: "2024-08-02" }]);
    expect(s.reports.filter((r) => r.trigger === "interval")).toHaveLength(1);
  });
});
