import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { link, mkdir, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import {
  assertRawKey,
  assertRawPrefix,
  type RawObject,
  type RawReadOptions,
  RawStoreError,
  type RawStore,
  type RawWriteOptions,
} from "../definitions/raw-store";

/**
 * A raw store in a folder of this machine (`file:///srv/lignee/data`): key `a/b.ndjson` is the
 * file `<root>/a/b.ndjson`. A write goes to a temporary file beside its target (its name starts
 * with a dot: listings skip such names), synced, then renamed onto the target, or linked to it
 * when it must not exist yet (`link` fails if it does, atomically), so that a reader sees the
 * old file or the new one whole, and two writers of a new key cannot both win.
 *
 * @example
 * const store = new FileRawStore("/srv/lignee/data");
 * await store.write("raw/offres/offres-2024-08-01.ndjson", bytes, { ifAbsent: true });
 */
export class FileRawStore implements RawStore {
  readonly url: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.url = pathToFileURL(this.root).href;
  }

  describe(key: string): string {
    return this.pathOf(key);
  }

  async *list(
    prefix: string,
    options: { readonly startAfter?: string; readonly signal?: AbortSignal } = {},
  ): AsyncIterable<RawObject> {
    assertRawPrefix(prefix);
    // Walk the deepest folder the prefix names; keys below it are filtered by the prefix.
    const slash = prefix.lastIndexOf("/");
    const base = slash < 0 ? "" : prefix.slice(0, slash);
    const keys = (await this.keysUnder(base)).filter(
      (k) => k.startsWith(prefix) && (options.startAfter === undefined || k > options.startAfter),
    );
    keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const key of keys) {
      options.signal?.throwIfAborted();
      const object = await this.stat(key);
      // Removed between the listing and now: it is not there any more.
      if (object) yield object;
    }
  }

  async stat(key: string): Promise<RawObject | undefined> {
    assertRawKey(key);
    try {
      const s = await stat(this.pathOf(key));
      if (!s.isFile()) return undefined;
      return objectOf(key, s.mtimeMs, s.size);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw this.failure(error, key);
    }
  }

  async *read(key: string, options: RawReadOptions = {}): AsyncIterable<Uint8Array> {
    assertRawKey(key);
    const { start = 0, end } = options;
    if (end !== undefined && end <= start) return;
    const stream = createReadStream(this.pathOf(key), {
      highWaterMark: 1 << 20,
      start,
      ...(end !== undefined ? { end: end - 1 } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (error) {
      if (isMissing(error))
        throw new RawStoreError("NOT_FOUND", `${this.pathOf(key)}: no such file`, { cause: error });
      throw options.signal?.aborted ? error : this.failure(error, key);
    } finally {
      stream.destroy();
    }
  }

  async write(
    key: string,
    body: AsyncIterable<Uint8Array> | Uint8Array,
    options: RawWriteOptions = {},
  ): Promise<RawObject> {
    assertRawKey(key);
    const target = this.pathOf(key);
    const dir = path.dirname(target);
    const temporary = path.join(
      dir,
      `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`,
    );
    try {
      await mkdir(dir, { recursive: true });
      const source = body instanceof Uint8Array ? Readable.from([body]) : Readable.from(body);
      await pipeline(
        source,
        createWriteStream(temporary, { flush: true }),
        options.signal ? { signal: options.signal } : {},
      );
      // A write cancelled once its body is in still leaves the key as it was.
      options.signal?.throwIfAborted();
      if (options.modifiedMs !== undefined) {
        // In seconds, half a millisecond in: a time of whole milliseconds could be stored a
        // nanosecond short of it (floating point), and read back a millisecond earlier.
        const when = (Math.trunc(options.modifiedMs) + 0.5) / 1000;
        await utimes(temporary, when, when);
      }
      if (options.ifAbsent) await linkIfAbsent(temporary, target);
      else await rename(temporary, target);
    } catch (error) {
      if (error instanceof RawStoreError || options.signal?.aborted) throw error;
      throw this.failure(error, key);
    } finally {
      await rm(temporary, { force: true });
    }
    const written = await this.stat(key);
    if (!written) throw new RawStoreError("STORE_FAILED", `${target} vanished once written`);
    return written;
  }

  async delete(key: string, options: { readonly ifMatch?: string } = {}): Promise<boolean> {
    assertRawKey(key);
    // Checked just before: a writer's rename in between is the one case it cannot see.
    if (options.ifMatch !== undefined) {
      const now = await this.stat(key);
      if (now !== undefined && now.etag !== options.ifMatch) return false;
    }
    try {
      await rm(this.pathOf(key), { force: true });
      return true;
    } catch (error) {
      throw this.failure(error, key);
    }
  }

  async close(): Promise<void> {}

  private pathOf(key: string): string {
    return path.join(this.root, ...key.split("/"));
  }

  /** The keys of the files below folder `base` (a key, or "" for the root), dot names left out. */
  private async keysUnder(base: string): Promise<string[]> {
    const dir = base === "" ? this.root : this.pathOf(base);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true, recursive: true });
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === "ENOTDIR") return [];
      throw this.failure(error, base);
    }
    const keys: string[] = [];
    for (const entry of entries) {
      // A link is followed by `stat`, which leaves out what is not a file.
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      const relative = path.relative(
        this.root,
        path.join(entry.parentPath ?? (entry as { path?: string }).path ?? dir, entry.name),
      );
      const segments = relative.split(path.sep);
      if (segments.some((s) => s.startsWith("."))) continue;
      keys.push(segments.join("/"));
    }
    return keys;
  }

  private failure(error: unknown, key: string): RawStoreError {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    const where = key === "" ? this.root : this.pathOf(key);
    return new RawStoreError(
      code === "EACCES" || code === "EPERM" ? "ACCESS_DENIED" : "STORE_FAILED",
      `${where}: ${(error as Error).message}`,
      // A busy or failing disk may pass; a full or read-only one, a path that is not a
      // folder, will not.
      { cause: error, transient: PASSING_ERRNO.has(code) },
    );
  }
}

/**
 * Gives `temporary` the name `target` unless that exists: a hard link, which fails if it does,
 * atomically. A file system without hard links (FAT, some network shares) gets a check, then a
 * rename: two writers at the same instant could both pass it, the second replacing the first.
 */
async function linkIfAbsent(temporary: string, target: string): Promise<void> {
  const exists = (cause?: unknown): RawStoreError =>
    new RawStoreError("ALREADY_EXISTS", `${target} exists already`, { cause });
  try {
    await link(temporary, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (code === "EEXIST") throw exists(error);
    if (!NO_HARD_LINKS.has(code)) throw error;
    if (
      await stat(target).then(
        () => true,
        () => false,
      )
    )
      throw exists();
    await rename(temporary, target);
  }
}

/** What `link` answers on a file system without hard links. */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EMLINK"]);

/** Errors of the file system that a later attempt may not meet. */
const PASSING_ERRNO = new Set(["EIO", "EAGAIN", "EBUSY", "ETIMEDOUT", "EMFILE", "ENFILE", "EINTR"]);

function objectOf(key: string, mtimeMs: number, size: number): RawObject {
  const modifiedMs = Math.trunc(mtimeMs);
  return { key, size, modifiedMs, etag: `${modifiedMs}:${size}` };
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "ENOENT";
}
