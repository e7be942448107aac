import path from "node:path";
import { FileRawStore, RawStoreError, type RawStore } from "@lignee/engine";
import { fileVersion, offresKey } from "../offres/raw-files";
import { FranceTravailClient } from "./client";
import { type FranceTravailConfig, readFranceTravailConfig } from "./config";
import { FranceTravailError } from "./errors";
import { type CollectedOffer, exhaustiveSearch } from "./exhaustive-search";
import { OfferSpool } from "./offer-spool";
import { formatApiDate, parisDayWindow } from "./paris-time";

export interface CollectDayOptions {
  /**
   * Root of the local data folder: the offers are spooled under `<dataDir>/raw/offres/` while
   * they arrive, and the day is written there (`offres-<day>.ndjson`) unless `store` is given.
   */
  readonly dataDir: string;
  /** Where the day's file goes (`raw/offres/offres-<day>.ndjson`); default: `dataDir`. */
  readonly store?: RawStore;
  /** A client to reuse; by default one is made from `config`. */
  readonly client?: FranceTravailClient;
  /** Used when no client is given. Default: `readFranceTravailConfig()`. */
  readonly config?: FranceTravailConfig;
  /** Calls in flight at once (the rate limit still applies). Default 10. */
  readonly concurrency?: number;
  /**
   * Results a time window is cut to hold when it has too many: lower means fewer windows
   * overflowing again (each costs a probe call), higher means fewer partly filled last pages.
   * Default 2,700.
   */
  readonly splitTarget?: number;
  /**
   * The seconds after the start of an earlier day (Paris) at which its offers were created,
   * sorted: the day's first cuts follow that shape (see `creationProfile`), so that few
   * windows overflow. Without it the first cuts are even in time.
   */
  readonly profile?: readonly number[];
  readonly signal?: AbortSignal;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /**
   * Receives the day's offers as they arrive, each unique offer once, in arrival order (the
   * file is sorted only once the day is complete): to load them while the collection runs
   * (see `collectAndLoadDay`). Awaited, so a slow receiver slows the collection rather than
   * letting offers pile up; a rejection fails the collection, which then writes no file.
   * Called only before `collectDay` settles; offers received are final only if it resolves.
   */
  readonly onOffers?: (offers: readonly CollectedOffer[]) => Promise<void> | void;
  /**
   * Called once every offer was handed to `onOffers` and counted, before the day's file is
   * written: a receiver may finish its own work meanwhile (the load's last rows, its
   * statistics). The collection is complete only when `collectDay` resolves.
   */
  readonly onCollected?: () => void;
}

/**
 * What a collection did. Call counts are the client's counters before and after the run: with
 * a client shared by collections running at the same time, they include the others' calls.
 */
export interface CollectDayStats {
  readonly day: string;
  /** Unique offers written. */
  readonly offers: number;
  /** What the API reported for the whole day. */
  readonly totalReported: number;
  /** HTTP calls to the API, failed ones and referentials included. */
  readonly apiCalls: number;
  /** Search answers that brought offers (first pages of windows included). */
  readonly pages: number;
  readonly retries: number;
  /** 429 answers received. */
  readonly throttled: number;
  /** Size of the file written. */
  readonly bytes: number;
  readonly durationMs: number;
  /** Where the file is, for a reader: a path on this machine, or an `s3://` URL. */
  readonly file: string;
  /** Its key in the raw store. */
  readonly key: string;
  /** Its version (`fileVersion`: what the raw-folder sensor compares). */
  readonly version: string;
}

/** Where `collectDay` writes a day. */
export function offresFilePath(dataDir: string, day: string): string {
  return path.join(dataDir, "raw", "offres", `offres-${day}.ndjson`);
}

/**
 * Collects every offer created on a Paris calendar day (`day` = "YYYY-MM-DD"; the window is
 * [Paris midnight, next Paris midnight), 23 to 25 hours) and writes them, one JSON object per
 * line, to `<dataDir>/raw/offres/offres-<day>.ndjson`.
 *
 * A search can only page through its first 3,150 results, so a window reporting more is cut
 * into parts sized from its total, again and again; a one-second window that still has too
 * many is split by ROME code, then by département. The totals of the parts must add up to
 * the total of what was cut, and the unique offers collected to the totals of the leaves:
 * otherwise the collection fails with an INCOMPLETE error and nothing is written. The file is
 * written atomically: on any failure an existing file for the day is left untouched.
 *
 * @example
 * const stats = await collectDay("2024-08-01", { dataDir: "data", log: console.log });
 * console.log(`${stats.offers} offers in ${stats.durationMs} ms`);
 */
export async function collectDay(
  day: string,
  options: CollectDayOptions,
): Promise<CollectDayStats> {
  const started = performance.now();
  const { start, end } = parisDayWindow(day);
  const log = options.log ?? ((): void => undefined);
  const client =
    options.client ?? new FranceTravailClient({ config: requireCredentials(options.config) });
  const before = client.stats();
  log(
    `${day}: collecting offers created ${formatApiDate(start.getTime())} … ` +
      `${formatApiDate(end.getTime())} (${(end.getTime() - start.getTime()) / 3_600_000} h)`,
  );
  const store = options.store ?? new FileRawStore(options.dataDir);
  const key = offresKey(day);
  // A day never collected is written only if no one else wrote it meanwhile (two collections
  // of a new day: one file, the first complete one); a day collected again is replaced.
  const existed = (await store.stat(key, { signal: options.signal })) !== undefined;
  // The offers go to a local disk as they arrive; the day's file is written from there, sorted.
  const spool = await OfferSpool.create(offresFilePath(options.dataDir, day));
  let written: Awaited<ReturnType<OfferSpool["writeSortedTo"]>>;
  let result: Awaited<ReturnType<typeof exhaustiveSearch>>;
  try {
    result = await exhaustiveSearch(
      client,
      { minCreationDate: start.getTime(), maxCreationDate: end.getTime() },
      {
        concurrency: options.concurrency ?? 10,
        splitTarget: options.splitTarget ?? 2700,
        ...(options.profile ? { profile: options.profile } : {}),
        signal: options.signal,
        log,
        label: day,
        onOffers: async (offers) => {
          await spool.append(offers);
          await options.onOffers?.(offers);
        },
      },
    );
    options.onCollected?.();
    // Sorted by creation time then id, so the same day always gives the same file.
    written = await spool
      .writeSortedTo(store, key, {
        ifAbsent: !existed,
        ...(options.signal ? { signal: options.signal } : {}),
      })
      .catch((error: unknown) => {
        if (error instanceof RawStoreError && error.code === "ALREADY_EXISTS")
          throw new FranceTravailError(
            "CONFLICT",
            `${day}: ${store.describe(key)} was written by another collection meanwhile; this one keeps nothing`,
            { cause: error },
          );
        throw error;
      });
  } finally {
    await spool.discard();
  }
  // A compressed copy of an earlier collection of the day is stale now: the new file is the day
  // (and wins wherever both are found), so failing to remove it fails nothing.
  await store
    .delete(`${key}.gz`)
    .catch((error: unknown) =>
      log(`${day}: the stale compressed copy stays for now: ${(error as Error).message}`),
    );
  const file = store.describe(key);
  const after = client.stats();
  const stats: CollectDayStats = {
    day,
    offers: result.offers,
    totalReported: result.totalReported,
    apiCalls: after.apiCalls - before.apiCalls,
    pages: result.pages,
    retries: after.retries - before.retries,
    throttled: after.throttled - before.throttled,
    bytes: written.size,
    durationMs: Math.round(performance.now() - started),
    file,
    key,
    version: fileVersion({ mtimeMs: written.modifiedMs, size: written.size }),
  };
  log(
    `${day}: ${stats.offers} offers written to ${options.store ? file : path.relative(options.dataDir, file)} (${stats.apiCalls} calls, ${stats.pages} pages, ` +
      `${stats.retries} retries, ${stats.throttled} throttled, ${(stats.durationMs / 1000).toFixed(1)} s)`,
  );
  return stats;
}

function requireCredentials(
  config: FranceTravailConfig = readFranceTravailConfig(),
): FranceTravailConfig {
  if (!config.clientId || !config.clientSecret) {
    throw new FranceTravailError(
      "AUTH",
      "France Travail credentials missing: set FRANCE_TRAVAIL_CLIENT_ID and FRANCE_TRAVAIL_CLIENT_SECRET",
    );
  }
  return config;
}
