import { uuidBytes, uuidV5 } from "../util/uuid-v5";

/**
 * The id of the run of chunk `chunkIndex` of a backfill: a name-based UUID (version 5, RFC 9562)
 * in the backfill's namespace. The same chunk always gets the same id, so that creating a
 * backfill's runs again after an interruption adds only the missing ones.
 *
 * @example
 * backfillRunId("6f1c…", 0) === backfillRunId("6f1c…", 0) // true
 */
export function backfillRunId(backfillId: string, chunkIndex: number): string {
  // A backfill id is a UUID; any other text (not expected) hashes as its UTF-8 bytes.
  const namespace = uuidBytes(backfillId) ?? Buffer.from(backfillId, "utf8");
  return uuidV5(namespace, `chunk:${chunkIndex}`);
}
