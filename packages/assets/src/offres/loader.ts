import path from "node:path";
import { FileRawStore, RawStoreError, type RawObject, type RawStore } from "@lignee/engine";
import { parisDayWindow } from "../france-travail/paris-time";
import { CreationTally } from "../quality/date-creation-in-day";
import type { QualityResult } from "../quality/result";
import { BinaryCopyRows, copyBinaryInto } from "../warehouse/copy-binary";
import type { Warehouse } from "../warehouse/warehouse";
import { OffresLoadError } from "./errors";
import { type NumberedBytes, type NumberedLine, splitLines } from "./ndjson-lines";
import { isBlankLine, OFFRES_COPY_COLUMNS, writeOfferRow } from "./offer-row";
import { OFFRES_DDL, OFFRES_TABLE } from "./table";

export interface OffresLoadStats {
  readonly day: string;
  readonly rows: number;
  readonly bytes: number;
  readonly durationMs: number;
  /**
   * `date_creation_in_day` on the rows loaded, evaluated as they were written: what the check
   * finds reading the day back (see `CreationTally`).
   */
  readonly creation: QualityResult;
}

/** Rows are sent to PostgreSQL in chunks of about this many bytes. */
const CHUNK_BYTES = 1 << 20;

/**
 * Replaces the offers of one creation day with the content of an NDJSON file, in one
 * transaction: the day's previous rows stay visible until the new ones are committed, and any
 * failure (a malformed line, a crash, a cancellation) leaves them intact.
 *
 * Lines stream into a binary COPY: each is parsed once, here, for its id and the fields of
 * `OFFER_FIELDS`, and goes to PostgreSQL with the original line as it is, neither escaped on
 * this side nor parsed on the server's (COPY's text format costs both sides about a quarter
 * more CPU). A line that is not a JSON object with an `id`, or a row PostgreSQL rejects, fails
 * the load with the file's name and the line number, for good (it is not retried). Blank lines
 * are skipped.
 *
 * @example
 * await loadOffresDay(warehouse, "data/raw/offres/offres-2024-08-01.ndjson", "2024-08-01");
 */
export async function loadOffresDay(
  warehouse: Warehouse,
  file: string,
  day: string,
  options: { signal?: AbortSignal } = {},
): Promise<OffresLoadStats> {
  const store = new FileRawStore(path.dirname(file));
  return loadOffresObject(warehouse, store, path.basename(file), day, options);
}

/**
 * `loadOffresDay` for an object of a raw store (`raw/offres/offres-2024-08-01.ndjson`, or its
 * `.gz`): its bytes stream from the store into the load, never whole in memory or on disk.
 * A missing object is FILE_MISSING; a store that fails midway fails the load, which keeps the
 * day's previous rows.
 */
export async function loadOffresObject(
  warehouse: Warehouse,
  store: RawStore,
  key: string,
  day: string,
  options: {
    signal?: AbortSignal;
    /** The object as the caller found it already (`key`'s): not asked for again. */
    object?: RawObject;
  } = {},
): Promise<OffresLoadStats> {
  const where = store.describe(key);
  const signal = options.signal ? { signal: options.signal } : {};
  const object = options.object ?? (await store.stat(key, signal));
  if (!object)
    throw new OffresLoadError("FILE_MISSING", `${path.basename(key)}: no such file`, where);
  const chunks = store.read(key, signal);
  const stats = await loadOffresLines(
    warehouse,
    splitLines(missingAs(chunks, key, where), { gzip: key.endsWith(".gz") }),
    day,
    { ...signal, source: where },
  );
  return { ...stats, bytes: object.size };
}

/** The store's chunks, a NOT_FOUND (removed since it was found) as FILE_MISSING. */
async function* missingAs(
  chunks: AsyncIterable<Uint8Array>,
  key: string,
  where: string,
): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks;
  } catch (error) {
    if (error instanceof RawStoreError && error.code === "NOT_FOUND")
      throw new OffresLoadError(
        "FILE_MISSING",
        `${path.basename(key)}: no such file`,
        where,
        undefined,
        {
          cause: error,
        },
      );
    throw error;
  }
}

/**
 * Replaces the offers of one creation day with `lines` (NDJSON, numbered), in one transaction:
 * what `loadOffresDay` does for a file, for lines from any source. `source` names them in
 * errors (its base name); `bytes` in the result is 0 (the caller knows its source's size).
 * `beforeCommit` holds the commit until the source is complete (a collection writing its file).
 */
export async function loadOffresLines(
  warehouse: Warehouse,
  lines: AsyncIterable<NumberedLine | NumberedBytes>,
  day: string,
  options: {
    signal?: AbortSignal;
    source: string;
    /** Awaited before the commit, once every line is in: a rejection rolls the day back. */
    beforeCommit?: () => Promise<void>;
  },
): Promise<OffresLoadStats> {
  const file = options.source;
  const name = path.basename(file);
  const started = performance.now();
  await warehouse.ensure(OFFRES_DDL);
  // COPY row n → source line, to name the right line when PostgreSQL rejects one.
  const copyLineToFileLine: number[] = [];
  // A day of raw.offres is a day in Europe/Paris (OFFRES_PARTITIONS).
  const tally = new CreationTally(day, parisDayWindow(day));
  async function* rows(): AsyncGenerator<Buffer> {
    const batch = new BinaryCopyRows(CHUNK_BYTES + (CHUNK_BYTES >> 2));
    for await (const line of lines) {
      if (isBlankLine(line)) continue;
      writeOfferRow(batch, day, line, file, tally);
      copyLineToFileLine.push(line.number);
      if (batch.bytes >= CHUNK_BYTES) yield batch.take();
    }
    yield batch.take();
  }
  try {
    const stats = await warehouse.transaction(async (client) => {
      await client.query(`DELETE FROM ${OFFRES_TABLE} WHERE jour = $1`, [day]);
      await copyBinaryInto(client, OFFRES_TABLE, OFFRES_COPY_COLUMNS, rows(), options);
      // The planner's statistics learn of the new day with it: without them it takes the
      // day's tens of thousands of rows for a handful, and the queries that read the day
      // next (the checks, the dbt model) pick plans that take minutes instead of milliseconds.
      // A sample of 3,000 rows (statistics target 10) reads a tenth of the pages of the
      // default 30,000: ~20 ms instead of ~250 ms once the table holds 900,000 offers. For
      // days of similar sizes, as the API's are, it estimates a day's rows as well; for very
      // uneven ones, a few times off, which the queries that read raw.offres by day (an index
      // on jour, probes of the id index, hash joins) do not depend on.
      await client.query("SET LOCAL default_statistics_target = 10");
      await client.query(`ANALYZE ${OFFRES_TABLE} (jour, id)`);
      await options.beforeCommit?.();
      return copyLineToFileLine.length;
    });
    return {
      day,
      rows: stats,
      bytes: 0,
      durationMs: Math.round(performance.now() - started),
      creation: tally.result(),
    };
  } catch (error) {
    if (error instanceof OffresLoadError) throw error;
    const copyLine = copyLineOf(error);
    const line = copyLine !== undefined ? copyLineToFileLine[copyLine - 1] : undefined;
    const detail = (error as Error).message;
    throw new OffresLoadError(
      "LOAD_FAILED",
      line !== undefined ? `${name} line ${line}: ${detail}` : `${name}: ${detail}`,
      file,
      line,
      { cause: error },
    );
  }
}

/** The COPY line number from a PostgreSQL error's context ("COPY offres, line 12, column data: …"). */
function copyLineOf(error: unknown): number | undefined {
  const where = (error as { where?: unknown }).where;
  if (typeof where !== "string") return undefined;
  const m = /COPY \S+, line (\d+)/.exec(where);
  return m ? Number(m[1]) : undefined;
}
