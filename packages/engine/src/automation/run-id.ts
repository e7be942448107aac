import { uuidV5 } from "../util/uuid-v5";

/** The namespace of Lignée's name-based run ids (a fixed, random UUID). */
const NAMESPACE = Buffer.from("6f1c5d2e8a474b9e9d3a2c7e41f0b8a5", "hex");

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
  // Length-prefixed parts: ["a:b", "c"] and ["a", "b:c"] never collide.
  return uuidV5(NAMESPACE, parts.map((p) => `${p.length}:${p}`).join(""));
}
