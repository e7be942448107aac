import { partitionKey, type PartitionsDefinition } from "./definition";
import type { IntervalSet } from "./interval-set";

/**
 * Partition ranges as keys, first and last included: `[["2024-05-23", "2024-06-01"],
 * ["2024-06-03", "2024-06-03"]]`. An unpartitioned asset's single partition is `["", ""]`.
 */
export function rangesAsKeys(
  def: PartitionsDefinition | undefined,
  subset: IntervalSet,
): [string, string][] {
  if (!def) return subset.isEmpty ? [] : [["", ""]];
  return subset.ranges.map(([s, e]) => [partitionKey(def, s), partitionKey(def, e - 1)]);
}
