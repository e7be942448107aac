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
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`,
  );
  const handle = await open(temp, "wx");
  let bytes = 0;
  try {
    try {
      let batch = "";
      for (const line of lines) {
        batch += `${line}\n`;
        if (batch.length >= BATCH_CHARS) {
          signal?.throwIfAborted();
          bytes += await writeAll(handle, batch);
          batch = "";
        }
      }
      if (batch.length > 0) bytes += await writeAll(handle, batch);
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

/** Writes all of `text` (FileHandle.writeFile loops over partial writes) and returns its size. */
async function writeAll(handle: FileHandle, text: string): Promise<number> {
  const buffer = Buffer.from(text);
  await handle.writeFile(buffer);
  return buffer.length;
}
