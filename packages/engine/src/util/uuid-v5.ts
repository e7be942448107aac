import { createHash } from "node:crypto";

/**
 * A name-based UUID (version 5, RFC 9562): SHA-1 of the namespace's 16 bytes then the name's
 * UTF-8 bytes. The same namespace and name always give the same id, which is what lets
 * automation and backfills create a run again (after a crash, from a second process) and find
 * the first one instead of adding another.
 *
 * @example
 * uuidV5(uuidBytes("6ba7b810-9dad-11d1-80b4-00c04fd430c8")!, "chunk:0")
 * // "13fe8ffe-bbbf-5762-b141-a41ea7ca6061", as Python's uuid.uuid5 gives
 */
export function uuidV5(namespace: Uint8Array, name: string): string {
  const bytes = createHash("sha1").update(namespace).update(name, "utf8").digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC variant
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UUID's 16 bytes (any case, dashes optional); undefined for any other text. */
export function uuidBytes(id: string): Buffer | undefined {
  const hex = id.replace(/-/g, "");
  return /^[0-9a-f]{32}$/i.test(hex) ? Buffer.from(hex, "hex") : undefined;
}
