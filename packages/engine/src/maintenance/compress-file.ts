import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, type Stats } from "node:fs";
import { open, rename, rm, stat, utimes } from "node:fs/promises";
import path from "node:path";
import { Transform, Writable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";

export type CompressOutcome =
  | { readonly compressed: true; readonly bytesBefore: number; readonly bytesAfter: number }
  | { readonly compressed: false; readonly reason: string };

/**
 * Compresses `file` to `file.gz` (gzip) so that a crash at any moment leaves the original, or
 * the original and a complete `.gz`, never neither and never a partial `.gz` under its final
 * name: the gzip is written to `file.gz.<pid>-<random>.tmp`, flushed to disk, read back and compared with the
 * original (SHA-256 of the content), renamed to `file.gz` (the folder flushed), and only then
 * is the original deleted. The `.gz` keeps the original's modification time (to the
 * millisecond), so that whoever
 * identifies a file by its modification time and content size sees the same file.
 *
 * The file is left alone (and the temporary file removed) when it changed while it was being
 * compressed — a writer replaced or appended to it: its size, modification time or inode moved
 * — or that is gone (compressed by another maintenance meanwhile).
 */
export async function gzipFileAtomically(
  file: string,
  options: { signal?: AbortSignal } = {},
): Promise<CompressOutcome> {
  const before = await statIfExists(file);
  if (!before) return { compressed: false, reason: "gone before it was compressed" };
  const target = `${file}.gz`;
  // Its own temporary name: two compressions of one file at once never write the same file.
  const temp = `${target}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  try {
    const originalHash = createHash("sha256");
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      tap(originalHash),
      createGzip({ level: 6 }),
      createWriteStream(temp, { flags: "wx" }),
      ...(options.signal ? [{ signal: options.signal }] : []),
    );
    await fsyncPath(temp);
    const copyHash = createHash("sha256");
    await pipeline(createReadStream(temp), createGunzip(), sink(copyHash));
    if (copyHash.digest("hex") !== originalHash.digest("hex"))
      throw new Error(`${path.basename(temp)} does not read back as ${path.basename(file)}`);
    const now = await statIfExists(file);
    if (
      !now ||
      now.ino !== before.ino ||
      now.size !== before.size ||
      now.mtimeMs !== before.mtimeMs
    ) {
      await rm(temp, { force: true });
      return { compressed: false, reason: "changed while being compressed" };
    }
    options.signal?.throwIfAborted();
    // The same whole millisecond (half-way into it: float seconds round either side).
    const mtime = (Math.trunc(before.mtimeMs) + 0.5) / 1000;
    await utimes(temp, mtime, mtime);
    await rename(temp, target);
    await fsyncPath(path.dirname(file));
    // The original goes, unless a writer replaced it meanwhile (then the new file stays: a
    // plain file is newer than its .gz) or another compression removed it already.
    const last = await statIfExists(file);
    if (last && last.ino === before.ino) await rm(file, { force: true });
    const after = await stat(target);
    return { compressed: true, bytesBefore: before.size, bytesAfter: after.size };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function statIfExists(file: string): Promise<Stats | undefined> {
  try {
    return await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** A pass-through stream that feeds a hash. */
export function tap(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

/** A stream end that only feeds a hash. */
export function sink(hash: ReturnType<typeof createHash>): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback: (error?: Error | null) => void) {
      hash.update(chunk);
      callback();
    },
  });
}

async function fsyncPath(p: string): Promise<void> {
  const handle = await open(p, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
