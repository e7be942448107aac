import {
  collectDay,
  type CollectDayOptions,
  type CollectDayStats,
} from "../france-travail/collect-day";
import type { Warehouse } from "../warehouse/warehouse";
import { LineChannel, ReaderStoppedError } from "./line-channel";
import { loadOffresLines, type OffresLoadStats } from "./loader";

export interface CollectAndLoadOptions extends Omit<CollectDayOptions, "onOffers"> {
  readonly warehouse: Warehouse;
}

export interface CollectAndLoadStats {
  readonly collected: CollectDayStats;
  /** `durationMs` is the whole load, open while the collection ran. */
  readonly loaded: OffresLoadStats;
  /** From the end of the collection (file written) to the load's commit. */
  readonly commitMs: number;
}

/**
 * Collects a day (`collectDay`) and loads it into raw.offres at the same time: each offer goes
 * into the COPY of the day's transaction as soon as it arrives, so that the load is done when
 * the collection is. Still all or nothing for the day: the transaction commits only once the
 * collection completed (every offer collected and counted, the day's file written); any
 * failure (the API, a cancellation, an offer PostgreSQL rejects) rolls it back, leaving the
 * day's previous rows, and the collection then writes no file. Memory holds at most a few
 * thousand offers on their way to PostgreSQL.
 *
 * @example
 * const { collected, loaded } = await collectAndLoadDay("2024-08-01", { dataDir, warehouse });
 */
export async function collectAndLoadDay(
  day: string,
  options: CollectAndLoadOptions,
): Promise<CollectAndLoadStats> {
  const { warehouse, ...collectOptions } = options;
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  const channel = new LineChannel();
  let loadFailure: { error: unknown } | undefined;
  // Once every offer is in, the load finishes (its last rows, its statistics) while the day's
  // file is written; it commits only when the collection completed.
  let collectionDone: () => void = () => undefined;
  let collectionFailed: (error: unknown) => void = () => undefined;
  const collectionComplete = new Promise<void>((resolve, reject) => {
    collectionDone = resolve;
    collectionFailed = reject;
  });
  collectionComplete.catch(() => undefined);
  // The loader names lines by their arrival number in the collection.
  const loading = loadOffresLines(warehouse, channel, day, {
    signal: controller.signal,
    source: `offres-${day} (collecting)`,
    beforeCommit: () => collectionComplete,
  });
  loading.catch((error: unknown) => {
    // Failing because the collection failed or the run was cancelled is not a failure of its own.
    if (controller.signal.aborted) return;
    loadFailure = { error };
    // The load cannot complete: the collection stops at once, writing nothing.
    controller.abort(error);
  });
  try {
    let collected: CollectDayStats;
    try {
      collected = await collectDay(day, {
        ...collectOptions,
        signal: controller.signal,
        onOffers: (offers) => channel.push(offers.map((o) => o.json)),
        onCollected: () => channel.end(),
      });
    } catch (error) {
      // When the load failed first, the collection only stopped because of it: its error is
      // the one that says why.
      const first = loadFailure;
      collectionFailed(error);
      channel.fail(error);
      const loadError = await loading.then(
        () => undefined,
        (e: unknown) => e,
      );
      if (first) throw first.error;
      if (error instanceof ReaderStoppedError && loadError !== undefined) throw loadError;
      throw error;
    }
    const ended = performance.now();
    channel.end();
    collectionDone();
    const loaded = await loading;
    return { collected, loaded, commitMs: Math.round(performance.now() - ended) };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}
