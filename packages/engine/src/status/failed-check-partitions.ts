import type { Definitions } from "../definitions/definitions";
import { IntervalSet } from "../partitions/interval-set";
import { partitionIndex } from "../partitions/definition";

/** A failed `error` check as storage reports it (see `AssetStorageSummary.failedChecks`). */
export interface FailedCheckFacts {
  readonly checkName: string;
  readonly partitions: IntervalSet;
  readonly unindexedKeys?: readonly string[];
}

/**
 * The partitions of `assetKey` a failed check holds its downstream on: its indexed partitions
 * plus the keys recorded without an index (results kept from before partition indices were
 * stored) that the asset still has; for an unpartitioned asset, the result recorded without a
 * partition. Empty when the check is now declared `warn` (a downgraded check holds nothing).
 */
export function failedCheckPartitions(
  definitions: Definitions<unknown>,
  assetKey: string,
  check: FailedCheckFacts,
  now: Date,
): IntervalSet {
  const asset = definitions.get(assetKey);
  const declared =
    definitions.checksOf(assetKey).find((c) => c.name === check.checkName)?.severity ??
    asset.checkSpecs.find((c) => c.name === check.checkName)?.severity;
  if (declared === "warn") return IntervalSet.EMPTY;
  const keys = check.unindexedKeys ?? [];
  if (keys.length === 0) return check.partitions;
  const def = asset.partitions;
  if (!def)
    return keys.includes("")
      ? check.partitions.union(IntervalSet.fromIndices([0]))
      : check.partitions;
  const extra: number[] = [];
  for (const k of keys) {
    if (k === "") continue; // recorded for the whole asset before it was partitioned
    try {
      extra.push(partitionIndex(def, k, now));
    } catch {
      // A key the asset no longer has holds nothing.
    }
  }
  return check.partitions.union(IntervalSet.fromIndices(extra));
}
