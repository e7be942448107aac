import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";

/** Lines are written in batches of about this many characters. */
const BATCH_CHARS = 1 << 20;

/**
 * Writes `lines` (each followed by "\n") to `file` atomically: to a temporary file in the same
 * directory, flushed to disk, then renamed over `file`. Readers see the old file or the
 * complete new one, never a partial one; on any failure the temporary file is removed and
 * `file` is left as it was. The temporary name starts with a dot so that a watcher of
 * `offres-*.ndjson` files never picks it up. Returns the number of bytes written.
 */
export async function writeLinesAtomically(
  file: string,
  lines: Iterable<string>,
  signal?: AbortSignal,
): Promise<number> {
  return writeChunksAtomically(file, batched(lines), signal);
}

/**
 * Writes `chunks` one after the other to `file`, atomically as `writeLinesAtomically` does.
 * Each chunk is written before the next is asked for: a generator may reuse its buffer.
 */
async function writeChunksAtomically(
  file: string,
  chunks: Iterable<Buffer | string>,
  signal?: AbortSignal,
): Promise<number> {
  const temp = temporaryNameFor(file);
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(temp, "wx");
  let bytes = 0;
  try {
    try {
      for (const chunk of chunks) {
        signal?.throwIfAborted();
        bytes += await writeAll(handle, chunk);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    signal?.throwIfAborted();
    await rename(temp, file);
    return bytes;
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * A name for a temporary file next to `file`, unique to this process and call, starting with a
 * dot (hidden from watchers of `offres-*.ndjson`).
 */
export function temporaryNameFor(file: string, suffix = "tmp"): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString("hex")}.${suffix}`,
  );
}

/** Lines joined into chunks of about `BATCH_CHARS` characters. */
function* batched(lines: Iterable<string>): Generator<string> {
  let batch = "";
  for (const line of lines) {
    batch += `${line}\n`;
    if (batch.length >= BATCH_CHARS) {
      yield batch;
      batch = "";
    }
  }
  if (batch.length > 0) yield batch;
}

/** Writes all of `chunk` (FileHandle.writeFile loops over partial writes) and returns its size. */
async function writeAll(handle: FileHandle, chunk: Buffer | string): Promise<number> {
  const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
  await handle.writeFile(buffer);
  return buffer.length;
}
