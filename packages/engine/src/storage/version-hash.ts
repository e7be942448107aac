import { createHash } from "node:crypto";

/**
 * A signed 64-bit hash of one partition's (key, data version). Asset digests are the XOR of
 * these, so replacing a partition's version updates the digest in O(1).
 */
export function versionHash(partitionKey: string, dataVersion: string): bigint {
  const digest = createHash("sha256")
    .update(partitionKey)
    .update("\u0000")
    .update(dataVersion)
    .digest();
  return digest.readBigInt64BE(0);
}
