import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";

/**
 * A day's raw offers file in `<dataDir>/raw/offres`, as the collector writes it, or as the
 * maintenance job compressed it (`offres-YYYY-MM-DD.ndjson.gz`).
 */
export interface RawOffresFile {
  readonly day: string;
  readonly file: string;
  readonly mtimeMs: number;
  /** The content's size: for a gzipped file, the size of what it decompresses to. */
  readonly size: number;
  readonly compressed: boolean;
}

/** Day → version (`mtime:size`) of each file already seen. */
export type RawFilesCursor = Readonly<Record<string, string>>;

/**
 * `offres-YYYY-MM-DD.ndjson`, or `.ndjson.gz` once compressed; the collector's temporary files
 * start with a dot, the compressor's end with `.tmp`.
 */
const FILE_NAME = /^offres-(\d{4}-\d{2}-\d{2})\.ndjson(\.gz)?$/;

/**
 * The day files of `<dataDir>/raw/offres`, sorted by day (none when the folder does not
 * exist). Other names — temporary files, anything else dropped there — are ignored. A day
 * with both files (a crash between compressing and deleting the original, or a collection
 * after compression) is its `.ndjson`: the plain file is always the newer truth.
 *
 * A gzipped file keeps the original's modification time (the maintenance job sees to it) and
 * its `size` is the size it decompresses to (gzip's trailer): compressing a day gives it the
 * same version, so it does not look like new data.
 */
export async function listOffresFiles(dataDir: string): Promise<RawOffresFile[]> {
  const dir = path.join(dataDir, "raw", "offres");
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const byDay = new Map<string, RawOffresFile>();
  for (const name of names) {
    const m = FILE_NAME.exec(name);
    if (!m) continue;
    const day = m[1]!;
    const compressed = m[2] !== undefined;
    if (compressed && byDay.get(day)?.compressed === false) continue;
    const file = path.join(dir, name);
    try {
      const s = await stat(file);
      if (!s.isFile()) continue;
      const size = compressed ? await gzipContentSize(file) : s.size;
      if (compressed && byDay.has(day)) continue;
      byDay.set(day, { day, file, mtimeMs: s.mtimeMs, size, compressed });
    } catch (error) {
      // Renamed or removed between the listing and now: it will be seen (or not) next time.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
}

/**
 * The file holding a day's offers: `offres-<day>.ndjson` when it exists, else the compressed
 * `offres-<day>.ndjson.gz` when that exists, else the `.ndjson` path (missing: the loader says so).
 */
export async function offresDayFile(dataDir: string, day: string): Promise<string> {
  const plain = path.join(dataDir, "raw", "offres", `offres-${day}.ndjson`);
  for (const file of [plain, `${plain}.gz`]) {
    try {
      if ((await stat(file)).isFile()) return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return plain;
}

/** A day file's version (see `fileVersion`), the same before and after compression. */
export async function rawFileVersion(file: string): Promise<string> {
  const s = await stat(file);
  const size = file.endsWith(".gz") ? await gzipContentSize(file) : s.size;
  return fileVersion({ mtimeMs: s.mtimeMs, size });
}

/**
 * The size a gzip file decompresses to, from its trailer (ISIZE: the size modulo 2^32, exact
 * for files under 4 GiB; a day of offers is under 100 MB).
 */
async function gzipContentSize(file: string): Promise<number> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    if (size < 18) return 0;
    const trailer = Buffer.alloc(4);
    await handle.read(trailer, 0, 4, size - 4);
    return trailer.readUInt32LE(0);
  } finally {
    await handle.close();
  }
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
    const version = fileVersion(f);
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
