import { abortableSleep } from "../execution/abortable-sleep";
import type { NewRun } from "../storage/storage";
import type { ConcurrencyLimits } from "./pools";
import { RunQueue, type PoolUsage } from "./run-queue";

export interface AdmitLocalRunOptions {
  readonly databaseUrl: string;
  /** The pools the run takes a slot of (`poolsOf`). */
  readonly pools: readonly string[];
  readonly limits: ConcurrencyLimits;
  readonly signal: AbortSignal;
  /** Told when the run starts waiting, and again when what it waits for changes. */
  readonly onWait: (full: readonly PoolUsage[]) => void;
  readonly pollMs?: number;
}

/**
 * Records a run that this process executes itself as STARTED once its pools have a free slot,
 * waiting meanwhile: `lignee materialize` honours the pools' limits as workers do. Rejects with
 * the signal's reason when cancelled while waiting (nothing is recorded then).
 */
export async function admitLocalRun(run: NewRun, options: AdmitLocalRunOptions): Promise<void> {
  const queue = RunQueue.connect(options.databaseUrl);
  try {
    let announced = "";
    for (;;) {
      options.signal.throwIfAborted();
      const outcome = await queue.startLocal(run, options.pools, options.limits);
      if (outcome.started) return;
      const text = JSON.stringify(outcome.full);
      if (text !== announced) options.onWait(outcome.full);
      announced = text;
      await abortableSleep(options.pollMs ?? 500, options.signal);
    }
  } finally {
    await queue.close();
  }
}
