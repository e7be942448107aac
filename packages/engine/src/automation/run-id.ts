import { createHash } from "node:crypto";

/** The namespace of Lignée's name-based run ids (a fixed, random UUID). */
const NAMESPACE = "6f1c5d2e-8a47-4b9e-9d3a-2c7e41f0b8a5";

/**
 * A UUID (version 5, RFC 9562) derived from the parts: the same parts always give the same
 * id. Automation names its runs this way (`["schedule", name, scheduledAt]`) so that creating
 * a run again — after a crash, or from a second scheduler process — finds the first one instead
 * of adding another.
 *
 * @example
 * automationRunId(["schedule", "daily", "2025-03-30T00:00:00.000Z"])
 * // always the same "xxxxxxxx-xxxx-5xxx-…"
 */
export function automationRunId(parts: readonly string[]): string {
  const namespace = Buffer.from(NAMESPACE.replace(/-/g, ""), "hex");
  // Length-prefixed parts: ["a:b", "c"] and ["a", "b:c"] never collide.
  const name = parts.map((p) => `${p.length}:${p}`).join("");
  const hash = createHash("sha1").update(namespace).update(name, "utf8").digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC variant
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
