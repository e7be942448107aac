import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import type { RawStore } from "../definitions/raw-store";
import { type CompressOutcome, sink, tap } from "./compress-file";

/**
 * Compresses the object `key` of a raw store to `key.gz` (gzip), as `gzipFileAtomically` does
 * a file: the `.gz` is written whole or not at all (the store's `write`), read back and compared
 * with the original (SHA-256 of the content), and only then is the original deleted. The `.gz`
 * keeps the original's modification time (`write`'s `modifiedMs`), so that whoever identifies a
 * file by its modification time and content size sees the same file.
 *
 * The object is left alone, and the `.gz` removed, when it changed while it was being
 * compressed (its tag moved: a collection wrote the day again) or is gone: the original is
 * deleted on the condition that its tag is still the one compressed (S3's conditional
 * DeleteObject, `If-Match`), so that a day written again in between is never lost.
 */
export async function gzipObject(
  store: RawStore,
  key: string,
  options: { signal?: AbortSignal } = {},
): Promise<CompressOutcome> {
  const signal = options.signal ? { signal: options.signal } : {};
  const before = await store.stat(key, signal);
  if (!before) return { compressed: false, reason: "gone before it was compressed" };
  const target = `${key}.gz`;
  const originalHash = createHash("sha256");
  const gzip = createGzip({ level: 6 });
  const compressing = pipeline(
    Readable.from(store.read(key, signal)),
    tap(originalHash),
    gzip,
    ...(options.signal ? [{ signal: options.signal }] : []),
  );
  let written;
  try {
    [written] = await Promise.all([
      store.write(target, gzip, { modifiedMs: before.modifiedMs, ...signal }),
      compressing,
    ]);
  } catch (error) {
    gzip.destroy();
    await compressing.catch(() => undefined);
    throw error;
  }
  const copyHash = createHash("sha256");
  await pipeline(Readable.from(store.read(target, signal)), createGunzip(), sink(copyHash));
  if (copyHash.digest("hex") !== originalHash.digest("hex")) {
    await store.delete(target);
    throw new Error(`${store.describe(target)} does not read back as ${store.describe(key)}`);
  }
  // Deleted only while it is still the file compressed: a collection that wrote the day again
  // meanwhile keeps its file (and removes the stale `.gz` itself, or it is removed here).
  if (!(await store.delete(key, { ifMatch: before.etag, ...signal }))) {
    const now = await store.stat(key, signal);
    await store.delete(target);
    return {
      compressed: false,
      reason: now ? "changed while being compressed" : "gone while being compressed",
    };
  }
  return { compressed: true, bytesBefore: before.size, bytesAfter: written.size };
}
