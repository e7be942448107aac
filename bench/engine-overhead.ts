import pg from "pg";
import {
  defineAsset,
  Definitions,
  executeRun,
  prepareRun,
  type PostgresStorage,
  type RunResult,
} from "@lignee/engine";
import { stats, type BenchResult } from "./support";

/**
 * The engine's own overhead per run and per step, against a real PostgreSQL with every
 * storage write (run row, claims, materialisations, events, run end and its announcement):
 *
 * - `noop_run_p50`: prepare + execute a run of one unpartitioned no-op asset (target 2 ms);
 * - `chain_of_ten_p50`: the same for a chain of ten no-op assets, a → b → … (one run);
 * - `per_additional_step`: (chain of ten − no-op run) / 9 (target 0.5 ms).
 *
 * The two kinds of run alternate, so that a change of load weighs on both alike. A separate
 * pass counts the statements sent to PostgreSQL (round trips) per run and per step.
 */
export async function benchRunOverhead(
  storage: PostgresStorage,
  log: (message: string) => void,
): Promise<BenchResult[]> {
  log(
    `\n[overhead] no-op run and chain of ten: ${WARMUP} warm-up + ${SAMPLES} runs of each, alternating`,
  );
  const noop = Definitions.create({
    assets: [defineAsset({ key: "overhead/noop", materialize: async () => undefined })],
  });
  const chain = noopChain(CHAIN_LENGTH);
  const noopSamples: number[] = [];
  const chainSamples: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const a = await timedRun(noop, "overhead/noop", storage);
    const b = await timedRun(chain, "chain/step_00+", storage);
    if (i < WARMUP) continue;
    noopSamples.push(a);
    chainSamples.push(b);
  }
  const noopRoundTrips = await countRoundTrips(() =>
    timedRun(noop, "overhead/noop", storage).then(() => undefined),
  );
  const chainRoundTrips = await countRoundTrips(() =>
    timedRun(chain, "chain/step_00+", storage).then(() => undefined),
  );
  await verifyPersisted(storage);

  const n = stats(noopSamples);
  const c = stats(chainSamples);
  const perStep = Math.round(((c.p50 - n.p50) / (CHAIN_LENGTH - 1)) * 100) / 100;
  const perStepRoundTrips = (chainRoundTrips - noopRoundTrips) / (CHAIN_LENGTH - 1);
  log(
    `  no-op run p50 ${n.p50} ms (${noopRoundTrips} statements); chain of ten p50 ${c.p50} ms ` +
      `(${chainRoundTrips} statements); per additional step ${perStep} ms (${perStepRoundTrips} statements)`,
  );
  return [
    {
      name: "noop_run_p50",
      unit: "ms",
      ...n,
      roundTrips: noopRoundTrips,
      targetStat: "p50",
      target: NOOP_TARGET_MS,
      met: n.p50 <= NOOP_TARGET_MS,
    },
    {
      name: "chain_of_ten_p50",
      unit: "ms",
      ...c,
      steps: CHAIN_LENGTH,
      roundTrips: chainRoundTrips,
      targetStat: "p50",
      target: NOOP_TARGET_MS + (CHAIN_LENGTH - 1) * STEP_TARGET_MS,
      met: c.p50 <= NOOP_TARGET_MS + (CHAIN_LENGTH - 1) * STEP_TARGET_MS,
    },
    {
      name: "per_additional_step",
      unit: "ms",
      p50: perStep,
      perAdditionalStepMs: perStep,
      roundTrips: perStepRoundTrips,
      targetStat: "p50",
      target: STEP_TARGET_MS,
      met: perStep <= STEP_TARGET_MS,
    },
  ];
}

const WARMUP = 20;
const SAMPLES = 250;
const CHAIN_LENGTH = 10;
const NOOP_TARGET_MS = 2;
const STEP_TARGET_MS = 0.5;

/** step_00 → step_01 → … → step_(n-1), unpartitioned no-op assets. */
export function noopChain(n: number): Definitions<unknown> {
  const key = (i: number): string => `chain/step_${String(i).padStart(2, "0")}`;
  return Definitions.create({
    assets: Array.from({ length: n }, (_, i) =>
      defineAsset({
        key: key(i),
        deps: i === 0 ? [] : [key(i - 1)],
        materialize: async () => undefined,
      }),
    ),
  });
}

/** Milliseconds to prepare and execute one run of `selection` (which must succeed). */
async function timedRun(
  definitions: Definitions<unknown>,
  selection: string,
  storage: PostgresStorage,
): Promise<number> {
  const started = performance.now();
  const prepared = prepareRun(definitions, { selection, partitions: { kind: "none" } }, new Date());
  const result: RunResult = await executeRun({ definitions, storage, prepared });
  const ms = performance.now() - started;
  if (result.outcome !== "SUCCESS") throw new Error(`run ${result.runId} ended ${result.outcome}`);
  return ms;
}

/** Statements sent to PostgreSQL (pg `query` calls, BEGIN and COMMIT included) by `work`. */
async function countRoundTrips(work: () => Promise<void>): Promise<number> {
  const original = pg.Client.prototype.query;
  let count = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    count++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = original;
  }
  return count;
}

/** Every run above left its materialisations and its run log: the figures include the writes. */
async function verifyPersisted(storage: PostgresStorage): Promise<void> {
  const runs = await storage.listRuns({ limit: 2 });
  for (const run of runs) {
    if (run.status !== "SUCCESS") throw new Error(`run ${run.id} is ${run.status}`);
    const events = await storage.listEvents(run.id);
    const materialized = events.filter((e) => e.type === "MATERIALIZATION").length;
    const expected = run.assetKeys.length;
    if (materialized !== expected || events.at(-1)?.type !== "RUN_SUCCESS")
      throw new Error(`run ${run.id}: ${materialized} of ${expected} materialisations logged`);
  }
  const last = await storage.listMaterializations("chain/step_09", { limit: 1 });
  if (last.length !== 1) throw new Error("the chain's last asset was never materialised");
}
