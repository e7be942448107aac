import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { RawStoreError, type RawStore } from "@lignee/engine";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { SireneLoadError } from "./errors";

/** The bytes of a CSV file, read from disk or straight out of a zip. */
export interface CsvSource {
  readonly stream: Readable;
  /** The file, and for a zip the entry read (`stock.zip!StockEtablissement_utf8.csv`). */
  readonly name: string;
  /** Releases the file; safe to call twice and after an error. */
  close(): void;
}

/** Local file header signature: what every zip starts with. */
const ZIP_MAGIC = 0x04034b50;
const READ_SIZE = 1 << 20;

/**
 * Opens `file` for reading: a plain CSV as is, or a zip (recognised by its first bytes, not its
 * name) holding exactly one `.csv`, inflated as it is read — nothing is extracted to disk, so a
 * 2 GB download needs no room beside it. Throws `SireneLoadError` `FILE_MISSING` or
 * `ZIP_INVALID`.
 *
 * @example
 * const source = await openCsvSource("StockEtablissement_utf8.zip");
 * try { for await (const chunk of source.stream) … } finally { source.close(); }
 */
export async function openCsvSource(file: string): Promise<CsvSource> {
  if (!(await isZip(file))) {
    const stream = createReadStream(file, { highWaterMark: READ_SIZE });
    return { stream, name: file, close: () => stream.destroy() };
  }
  return openZip(file, () => yauzl.openPromise(file, { lazyEntries: true, autoClose: false }));
}

/**
 * `openCsvSource` for an object of a raw store (an S3 bucket's, say): streamed from the store,
 * a zip read by ranges (its directory at the end, then its entry), never downloaded whole.
 * Returns the object's stored size too.
 */
export async function openCsvObject(
  store: RawStore,
  key: string,
): Promise<{ source: CsvSource; size: number }> {
  const file = store.describe(key);
  // The store's failure (out of reach, refused) is its own: LOAD_FAILED, retried as it says.
  const object = await store.stat(key).catch((error: unknown) => {
    throw new SireneLoadError(
      "LOAD_FAILED",
      `cannot open: ${message(error)}`,
      { file },
      {
        cause: error,
      },
    );
  });
  if (!object) throw new SireneLoadError("FILE_MISSING", "no such file", { file });
  const range = (start: number, end: number): Readable =>
    Readable.from(store.read(key, { start, end }), { objectMode: false });
  const head: Buffer[] = [];
  for await (const chunk of range(0, Math.min(4, object.size))) head.push(chunk as Buffer);
  const magic = Buffer.concat(head);
  if (magic.length < 4 || magic.readUInt32LE(0) !== ZIP_MAGIC) {
    const stream = range(0, object.size);
    return { source: { stream, name: file, close: () => stream.destroy() }, size: object.size };
  }
  class ObjectRanges extends yauzl.RandomAccessReader {
    override _readStreamForRange(start: number, end: number): Readable {
      return range(start, end);
    }
  }
  const source = await openZip(file, () =>
    yauzl.fromRandomAccessReaderPromise(new ObjectRanges(), object.size, {
      lazyEntries: true,
      autoClose: false,
    }),
  );
  return { source, size: object.size };
}

/** The one `.csv` of a zip, inflated as it is read. */
async function openZip(file: string, open: () => Promise<ZipFile>): Promise<CsvSource> {
  let zip: ZipFile;
  try {
    zip = await open();
  } catch (error) {
    throw new SireneLoadError(
      zipErrorCode(error),
      `not a readable zip: ${message(error)}`,
      { file },
      {
        cause: error,
      },
    );
  }
  try {
    const csvs: Entry[] = [];
    for await (const entry of zip.eachEntry()) {
      if (/\.csv$/i.test(entry.fileName)) csvs.push(entry);
    }
    const [entry, ...others] = csvs;
    if (entry === undefined || others.length > 0) {
      const names = csvs.map((e) => e.fileName).join(", ");
      throw new SireneLoadError(
        "ZIP_INVALID",
        `expected one .csv in the zip, found ${csvs.length}${names ? ` (${names})` : ""}`,
        { file },
      );
    }
    const stream = await zip.openReadStreamPromise(entry);
    return {
      stream,
      name: `${file}!${entry.fileName}`,
      close: () => {
        stream.destroy();
        zip.close();
      },
    };
  } catch (error) {
    zip.close();
    if (error instanceof SireneLoadError) throw error;
    throw new SireneLoadError(
      zipErrorCode(error),
      `cannot read the zip: ${message(error)}`,
      { file },
      {
        cause: error,
      },
    );
  }
}

async function isZip(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    throw new SireneLoadError(
      "FILE_MISSING",
      `cannot open: ${message(error)}`,
      { file },
      {
        cause: error,
      },
    );
  }
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.readUInt32LE(0) === ZIP_MAGIC;
  } finally {
    await handle.close();
  }
}

/** ZIP_INVALID, unless the store failed to give the bytes (LOAD_FAILED, with it as the cause). */
function zipErrorCode(error: unknown): "ZIP_INVALID" | "LOAD_FAILED" {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (e instanceof RawStoreError) return "LOAD_FAILED";
  return "ZIP_INVALID";
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
