import path from "node:path";
import { FileRawStore, RawStoreError, type RawObject, type RawStore } from "@lignee/engine";

/** Where a day's offers are in the raw store: `raw/offres/offres-YYYY-MM-DD.ndjson`. */
export const OFFRES_PREFIX = "raw/offres/";

/** The key of a day's offers file in the raw store (`.gz` appended once compressed). */
export function offresKey(day: string): string {
  return `${OFFRES_PREFIX}offres-${day}.ndjson`;
}

/**
 * A day's raw offers file in the raw store's `raw/offres/`, as the collector writes it, or as
 * the maintenance job compressed it (`offres-YYYY-MM-DD.ndjson.gz`).
 */
export interface RawOffresFile {
  readonly day: string;
  /** Its key in the raw store. */
  readonly key?: string;
  /** Where it is, for a reader: a path on this machine, or an `s3://` URL. */
  readonly file: string;
  readonly mtimeMs: number;
  /** The content's size: for a gzipped file, the size of what it decompresses to. */
  readonly size: number;
  readonly compressed: boolean;
  /**
   * What tells two versions apart, when the store says (`rawObjectVersion`); otherwise
   * `fileVersion` of the modification time and size.
   */
  readonly version?: string;
}

/** Day → version (`mtime:size`) of each file already seen. */
export type RawFilesCursor = Readonly<Record<string, string>>;

/**
 * `offres-YYYY-MM-DD.ndjson`, or `.ndjson.gz` once compressed; the collector's temporary files
 * start with a dot, the compressor's end with `.tmp`.
 */
const FILE_NAME = /^offres-(\d{4}-\d{2}-\d{2})\.ndjson(\.gz)?$/;

/**
 * The day files of the raw store's `raw/offres/` (a data folder's, given its path), sorted by
 * day (none when there are none). Other names — temporary files, anything else dropped there —
 * are ignored. A day with both files (a crash between compressing and deleting the original, or
 * a collection after compression) is its `.ndjson`: the plain file is always the newer truth.
 *
 * A gzipped file keeps the original's modification time (the maintenance job sees to it) and
 * its `size` is the size it decompresses to (gzip's trailer): compressing a day gives it the
 * same version, so it does not look like new data.
 */
export async function listOffresFiles(
  store: RawStore | string,
  options: {
    signal?: AbortSignal;
    /**
     * What an earlier listing found of each compressed day (its version costs a HEAD and a
     * read of its trailer, in S3 two requests): kept across calls by the caller, refreshed here
     * with this listing's compressed days.
     */
    compressed?: Map<string, RawOffresFile>;
  } = {},
): Promise<RawOffresFile[]> {
  const raw = typeof store === "string" ? new FileRawStore(store) : store;
  const byDay = new Map<string, RawObject & { day: string; compressed: boolean }>();
  for await (const object of raw.list(`${OFFRES_PREFIX}offres-`, options)) {
    const m = FILE_NAME.exec(object.key.slice(OFFRES_PREFIX.length));
    if (!m) continue;
    const day = m[1]!;
    const compressed = m[2] !== undefined;
    // Keys come in order: a day's `.ndjson` before its `.ndjson.gz`.
    if (compressed && byDay.has(day)) continue;
    byDay.set(day, { ...object, day, compressed });
  }
  const files: RawOffresFile[] = [];
  const known = options.compressed;
  const seen = new Map<string, RawOffresFile>();
  for (const object of byDay.values()) {
    // A compressed day is identified by its key and tag: unchanged, its version is known.
    const id = `${object.key}@${object.etag}`;
    const file = (object.compressed && known?.get(id)) || (await describeDayObject(raw, object));
    // Removed between the listing and now: it will be seen (or not) next time.
    if (!file) continue;
    files.push(file);
    if (object.compressed) seen.set(id, file);
  }
  if (known) {
    known.clear();
    for (const [id, file] of seen) known.set(id, file);
  }
  return files.sort((a, b) => a.day.localeCompare(b.day));
}

/**
 * The object holding a day's offers: `offres-<day>.ndjson` when it exists, else the compressed
 * `offres-<day>.ndjson.gz`, else undefined.
 */
export async function offresDayObject(
  store: RawStore,
  day: string,
  options: { signal?: AbortSignal } = {},
): Promise<RawObject | undefined> {
  const plain = offresKey(day);
  return (await store.stat(plain, options)) ?? (await store.stat(`${plain}.gz`, options));
}

/**
 * The version of a day's object (`fileVersion`), the same before and after compression: its
 * modification time and size; for a gzipped one, the modification time the compression carried
 * over from the original and the size it decompresses to. `object` as `store.stat` gives it
 * (a listing may carry the store's own time for a gzipped one).
 */
export async function rawObjectVersion(store: RawStore, object: RawObject): Promise<string> {
  const size = object.key.endsWith(".gz") ? await gzipContentSizeIn(store, object) : object.size;
  return fileVersion({ mtimeMs: object.modifiedMs, size });
}

async function describeDayObject(
  store: RawStore,
  object: RawObject & { day: string; compressed: boolean },
): Promise<RawOffresFile | undefined> {
  const base = { day: object.day, key: object.key, file: store.describe(object.key) };
  if (!object.compressed) {
    const version = fileVersion({ mtimeMs: object.modifiedMs, size: object.size });
    return { ...base, mtimeMs: object.modifiedMs, size: object.size, compressed: false, version };
  }
  // The original's modification time, carried over by the compression (a listing may give the
  // store's own).
  const stated = await store.stat(object.key);
  if (!stated) return undefined;
  const size = await gzipContentSizeIn(store, stated);
  const version = fileVersion({ mtimeMs: stated.modifiedMs, size });
  return { ...base, mtimeMs: stated.modifiedMs, size, compressed: true, version };
}

/**
 * The size a gzip object decompresses to, from its trailer (ISIZE: the size modulo 2^32, exact
 * for files under 4 GiB; a day of offers is under 100 MB).
 */
async function gzipContentSizeIn(store: RawStore, object: RawObject): Promise<number> {
  if (object.size < 18) return 0;
  const chunks: Uint8Array[] = [];
  for await (const chunk of store.read(object.key, { start: object.size - 4 })) chunks.push(chunk);
  const trailer = Buffer.concat(chunks);
  // Rewritten shorter since its size was read: read as nothing, and seen again next time.
  return trailer.length >= 4 ? trailer.readUInt32LE(trailer.length - 4) : 0;
}

/**
 * The file holding a day's offers in a data folder: `offres-<day>.ndjson` when it exists, else
 * the compressed `offres-<day>.ndjson.gz` when that exists, else the `.ndjson` path (missing:
 * the loader says so).
 */
export async function offresDayFile(dataDir: string, day: string): Promise<string> {
  const store = new FileRawStore(dataDir);
  const object = await offresDayObject(store, day);
  return store.describe(object?.key ?? offresKey(day));
}

/** A day file's version (see `fileVersion`), the same before and after compression. */
export async function rawFileVersion(file: string): Promise<string> {
  const store = new FileRawStore(path.dirname(file));
  const object = await store.stat(path.basename(file));
  if (!object) throw new RawStoreError("NOT_FOUND", `${file}: no such file`);
  return rawObjectVersion(store, object);
}

/** What tells two versions of a file apart: modification time (ms) and size. */
export function fileVersion(file: { readonly mtimeMs: number; readonly size: number }): string {
  return `${Math.trunc(file.mtimeMs)}:${file.size}`;
}

/** A cursor from its text; anything unreadable counts as no cursor (every file is new). */
export function parseRawFilesCursor(text: string | null | undefined): RawFilesCursor {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      return Object.fromEntries(
        Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"),
      );
    }
  } catch {
    // fall through
  }
  return {};
}

/**
 * Pure: the files to load, and the cursor to keep. A file is loaded when it is new or changed
 * since the cursor, unless
 * - the version loaded last for its day is this very one (`loaded(day).version`: the collection
 *   that wrote the file loaded it), or
 * - the file was never seen and its day was loaded after the file was last modified, by a run
 *   that did not record versions (`loaded(day).at`: loads from before this sensor existed), or
 * - its day is being collected now (`collecting`): the run writing it loads it; the file is
 *   looked at again once that run has ended (its cursor entry is not moved), or
 * - its day is not a partition (yet): today's file, a day before the start (`isPartition`); its
 *   cursor entry is not moved either, so the file is loaded once its day becomes a partition.
 * Files that disappeared leave the cursor: one that comes back is loaded again.
 *
 * @example
 * filesToLoad(await listOffresFiles("data"), parseRawFilesCursor(cursor), {
 *   loaded: () => undefined,
 *   collecting: () => false,
 * })
 */
export function filesToLoad(
  files: readonly RawOffresFile[],
  cursor: RawFilesCursor,
  state: {
    /** The latest load of a day: the file version it recorded, if any, and when (ms). */
    readonly loaded: (day: string) => { version?: string; at: number } | undefined;
    readonly collecting: (day: string) => boolean;
    /** Whether the day is a partition of raw/offres now (default: every day is). */
    readonly isPartition?: (day: string) => boolean;
  },
): { load: RawOffresFile[]; cursor: Record<string, string> } {
  const load: RawOffresFile[] = [];
  const next: Record<string, string> = {};
  for (const f of files) {
    const version = f.version ?? fileVersion(f);
    const loaded = state.loaded(f.day);
    const loadedBefore =
      cursor[f.day] === undefined &&
      loaded !== undefined &&
      loaded.version === undefined &&
      loaded.at >= f.mtimeMs;
    if (cursor[f.day] === version || loaded?.version === version || loadedBefore) {
      next[f.day] = version;
    } else if (state.collecting(f.day) || state.isPartition?.(f.day) === false) {
      const seen = cursor[f.day];
      if (seen !== undefined) next[f.day] = seen;
    } else {
      load.push(f);
      next[f.day] = version;
    }
  }
  return { load, cursor: next };
}
