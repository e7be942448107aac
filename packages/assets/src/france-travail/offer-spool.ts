import { readSync } from "node:fs";
import { type FileHandle, mkdir, open, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import type { RawObject, RawStore } from "@lignee/engine";
import type { CollectedOffer } from "./exhaustive-search";
import { temporaryNameFor } from "./ndjson-file";

/** Where one offer's line lies in the spool. */
interface SpoolEntry {
  readonly id: string;
  readonly created: string;
  readonly offset: number;
  readonly length: number;
}

/** The sorted file is assembled in chunks of about this many bytes. */
const CHUNK_BYTES = 1 << 20;

/**
 * A day's offers on disk in the order they arrive, for a file sorted once the day is complete:
 * memory holds each offer's id, creation date and place in the spool, never its JSON. The
 * spool is a hidden temporary file next to the day's file (a watcher of `offres-*.ndjson`
 * never sees it), removed by `discard`.
 *
 * @example
 * const spool = await OfferSpool.create("data/raw/offres/offres-2024-08-01.ndjson");
 * try {
 *   await spool.append(offers);
 *   await spool.writeSortedTo(store, "raw/offres/offres-2024-08-01.ndjson", { signal });
 * } finally {
 *   await spool.discard();
 * }
 */
export class OfferSpool {
  private readonly entries: SpoolEntry[] = [];
  private size = 0;

  private constructor(
    /** The day's file, next to which the spool lies. */
    readonly file: string,
    private readonly temp: string,
    private readonly handle: FileHandle,
    /** The first folder `create` made for the spool, to remove when nothing was written. */
    private readonly madeDir: string | undefined,
  ) {}

  static async create(file: string): Promise<OfferSpool> {
    const madeDir = await mkdir(path.dirname(file), { recursive: true });
    const temp = temporaryNameFor(file, "spool");
    return new OfferSpool(file, temp, await open(temp, "wx+"), madeDir);
  }

  /** Unique offers held. */
  get offers(): number {
    return this.entries.length;
  }

  /** Appends offers (one line each). Calls may overlap: each gets its own place at once. */
  async append(offers: readonly CollectedOffer[]): Promise<void> {
    if (offers.length === 0) return;
    const text = offers.map((o) => `${o.json}\n`).join("");
    const buffer = Buffer.from(text);
    let offset = this.size;
    const start = offset;
    this.size += buffer.length;
    for (const o of offers) {
      const length = Buffer.byteLength(o.json) + 1;
      this.entries.push({ id: o.id, created: o.created, offset, length });
      offset += length;
    }
    await this.handle.write(buffer, 0, buffer.length, start);
  }

  /**
   * Writes the offers sorted by creation time then id (the same day always gives the same
   * file) to `key` of a raw store, whole or not at all (see `RawStore.write`); `ifAbsent` as
   * there.
   */
  async writeSortedTo(
    store: RawStore,
    key: string,
    options: { ifAbsent?: boolean; signal?: AbortSignal } = {},
  ): Promise<RawObject> {
    // A store may hold on to a chunk after asking for the next (an upload's part): each chunk
    // is a buffer of its own.
    return store.write(key, toAsync(this.chunks(this.sorted())), options);
  }

  /** The entries by creation time then id: the same day always gives the same file. */
  private sorted(): SpoolEntry[] {
    return [...this.entries].sort((a, b) =>
      a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : 1,
    );
  }

  /** Removes the spool, and the folders made for it when no file was written there. */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.temp, { force: true });
    if (this.madeDir === undefined) return;
    // Innermost first; a folder that holds anything (the day's file) stays.
    for (let dir = path.dirname(this.file); ; dir = path.dirname(dir)) {
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false,
        ))
      )
        break;
      if (dir === this.madeDir || path.dirname(dir) === dir) break;
    }
  }

  /** The spool's lines in `order`, read in ~1 MiB chunks, each into a buffer of its own. */
  private *chunks(order: readonly SpoolEntry[]): Generator<Buffer> {
    const fd = this.handle.fd;
    let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let used = 0;
    for (const entry of order) {
      if (used + entry.length > buffer.length) {
        if (used > 0) yield buffer.subarray(0, used);
        used = 0;
        buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, entry.length));
      }
      readFully(fd, buffer, used, entry.length, entry.offset);
      used += entry.length;
    }
    if (used > 0) yield buffer.subarray(0, used);
  }
}

function readFully(fd: number, buffer: Buffer, at: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, at + done, length - done, position + done);
    if (n === 0) throw new Error(`offer spool: unexpected end of file at ${position + done}`);
    done += n;
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
