import { createHash } from "node:crypto";

/**
 * The id of the run of chunk `chunkIndex` of a backfill: a name-based UUID (version 5, RFC 9562)
 * in the backfill's namespace. The same chunk always gets the same id, so that creating a
 * backfill's runs again after an interruption adds only the missing ones.
 *
 * @example
 * backfillRunId("6f1c…", 0) === backfillRunId("6f1c…", 0) // true
 */
export function backfillRunId(backfillId: string, chunkIndex: number): string {
  const hash = createHash("sha1")
    .update(uuidBytes(backfillId))
    .update(`chunk:${chunkIndex}`)
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC variant
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UUID's 16 bytes; any other text (not expected) hashes as its UTF-8 bytes. */
function uuidBytes(id: string): Buffer {
  const hex = id.replace(/-/g, "");
  return /^[0-9a-f]{32}$/i.test(hex) ? Buffer.from(hex, "hex") : Buffer.from(id, "utf8");
}
