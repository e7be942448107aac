import pg from "pg";
import {
  dailyPartitions,
  defineAsset,
  Definitions,
  DEFAULT_SCHEDULER_INTERVAL_MS,
  executeRun,
  migrateDatabase,
  PostgresAutomationStore,
  PostgresStorage,
  prepareRun,
  Scheduler,
} from "@lignee/engine";
import { stats, type BenchResult, type Stats } from "./support";

/**
 * `pnpm bench engine eager`: how long after an upstream materialisation commits eager
 * automation queues the downstream run, with a scheduler at its default interval (5 s).
 *
 * A daily no-op asset `bench/upstream` is materialised by a run of this process (another
 * connection than the scheduler's), one new partition per sample, at a random moment of the
 * scheduler's interval; the scheduler (same process, pools of its own) queues the eager
 * `bench/downstream`. The latency is the eager run's `created_at` minus the materialisation's
 * `created_at` (both the database's clock; the materialisation's is its transaction's start,
 * so a little before its commit: the figure errs on the long side). The eager run is then
 * cancelled, so that the next sample starts from an idle queue.
 * With `baselineSamples`, the scheduler with notifications off (the interval alone) is measured
 * too, for comparison (`intervalOnly`).
 */
const DEFAULT_SAMPLES = 20;
const WARMUP = 2;
const TARGET_MS = 1_000;

/**
 * The latency from an upstream materialisation's commit to the eager downstream run being
 * queued, with a scheduler at the default interval: p50 target ≤ 1,000 ms. `dbUrl` is migrated
 * here (migrating twice does nothing); the bench's assets are `bench/upstream` and
 * `bench/downstream`, and every other asset's rows in that database make each evaluation
 * read more.
 */
export async function benchEagerLatency(
  dbUrl: string,
  log: (message: string) => void,
  options: { samples?: number; baselineSamples?: number } = {},
): Promise<BenchResult> {
  const { latency, fromRunEnd } = await eagerLatency(dbUrl, log, {
    samples: options.samples ?? DEFAULT_SAMPLES,
    watchChanges: true,
  });
  const baseline =
    options.baselineSamples !== undefined
      ? await eagerLatency(dbUrl, log, { samples: options.baselineSamples, watchChanges: false })
      : undefined;
  return {
    name: "eager_queue_latency_p50",
    unit: "ms",
    ...latency,
    fromRunEnd,
    ...(baseline ? { intervalOnly: baseline.latency } : {}),
    intervalMs: DEFAULT_SCHEDULER_INTERVAL_MS,
    targetStat: "p50",
    target: TARGET_MS,
    met: latency.p50 <= TARGET_MS,
  };
}

interface Latencies {
  /** From the materialisation's commit to the eager run's creation. */
  readonly latency: Stats;
  /** From the upstream run's end to the eager run's creation. */
  readonly fromRunEnd: Stats;
}

async function eagerLatency(
  dbUrl: string,
  log: (message: string) => void,
  options: { samples: number; watchChanges: boolean },
): Promise<Latencies> {
  await migrateDatabase(dbUrl);
  const daily = dailyPartitions({ start: "2020-01-01", timezone: "UTC" });
  const definitions = Definitions.create({
    assets: [
      defineAsset({ key: "bench/upstream", partitions: daily, materialize: async () => undefined }),
      defineAsset({
        key: "bench/downstream",
        deps: ["bench/upstream"],
        partitions: daily,
        automation: "eager",
        materialize: async () => undefined,
      }),
    ],
  }) as Definitions<unknown>;
  const worker = PostgresStorage.connect(dbUrl);
  const schedulerStorage = PostgresStorage.connect(dbUrl);
  const store = PostgresAutomationStore.connect(dbUrl);
  const sql = new pg.Client({ connectionString: dbUrl });
  await sql.connect();
  const controller = new AbortController();
  const scheduler = new Scheduler({
    definitions,
    storage: schedulerStorage,
    store,
    watchChanges: options.watchChanges,
    log: () => undefined,
  });
  const loop = scheduler.run(controller.signal);
  const latencies: number[] = [];
  const fromEnd: number[] = [];
  log(
    `\neager latency (${options.watchChanges ? "notifications" : "interval only"}): ` +
      `${WARMUP} warm-up + ${options.samples} samples, scheduler every ${DEFAULT_SCHEDULER_INTERVAL_MS} ms`,
  );
  try {
    // Each sample a day no earlier sample used (a database shared with another run included).
    const first = await sql.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM lignee.materializations WHERE asset_key = 'bench/upstream'",
    );
    const base = Date.UTC(2020, 0, 1) + first.rows[0]!.n * 86_400_000;
    for (let i = 0; i < WARMUP + options.samples; i++) {
      // At a random moment of the scheduler's interval, from an idle scheduler.
      await sleep(100 + Math.random() * DEFAULT_SCHEDULER_INTERVAL_MS);
      const day = new Date(base + i * 86_400_000).toISOString().slice(0, 10);
      const prepared = prepareRun(
        definitions,
        { selection: "bench/upstream", partitions: { kind: "single", key: day } },
        new Date(),
      );
      const done = await executeRun({ definitions, storage: worker, prepared });
      if (done.outcome !== "SUCCESS")
        throw new Error(`upstream run ${done.runId}: ${done.outcome}`);
      const sample = await waitForEagerRun(sql, done.runId, day);
      if (i < WARMUP) continue;
      latencies.push(sample.fromCommit);
      fromEnd.push(sample.fromRunEnd);
      log(
        `  ${day}: ${sample.fromCommit.toFixed(0)} ms (${sample.fromRunEnd.toFixed(0)} ms after the run's end)`,
      );
    }
  } finally {
    controller.abort();
    await loop;
    await Promise.all([store.close(), schedulerStorage.close(), worker.close(), sql.end()]);
  }
  return { latency: stats(latencies), fromRunEnd: stats(fromEnd) };
}

/** Polls (every 5 ms) for the eager run that follows `day`, then cancels it. */
async function waitForEagerRun(
  sql: pg.Client,
  upstreamRunId: string,
  day: string,
): Promise<{ fromCommit: number; fromRunEnd: number }> {
  const deadline = Date.now() + 3 * DEFAULT_SCHEDULER_INTERVAL_MS;
  for (;;) {
    const found = await sql.query<{ id: string; from_commit: number; from_end: number }>(
      `SELECT r.id,
              extract(epoch FROM r.created_at - m.created_at) * 1000 AS from_commit,
              extract(epoch FROM r.created_at - u.ended_at) * 1000 AS from_end
       FROM lignee.runs r, lignee.materializations m, lignee.runs u
       WHERE r.tags->>'trigger' = 'eager' AND r.status = 'QUEUED'
         AND m.run_id = $1 AND m.partition_key = $2 AND u.id = $1`,
      [upstreamRunId, day],
    );
    const row = found.rows[0];
    if (row) {
      // Cancelled as the queue does it for a queued run: no notification, no worker needed.
      await sql.query(
        "UPDATE lignee.runs SET status = 'CANCELED', ended_at = now() WHERE id = $1",
        [row.id],
      );
      return { fromCommit: Number(row.from_commit), fromRunEnd: Number(row.from_end) };
    }
    if (Date.now() > deadline) throw new Error(`no eager run queued after ${day}`);
    await sleep(5);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
