import { LigneeError, NothingToMaterializeError } from "../errors";
import { IntervalSet } from "../partitions/interval-set";
import type { AssetStatus } from "../status/asset-status";

/** What planning needs to know of an asset's current status: its partitions by status. */
export type StatusSubsets = Pick<AssetStatus, "subsets">;

/**
 * The partitions of an asset worth materialising again: MISSING, STALE and FAILED ones.
 * RUNNING partitions are left to the run building them, FRESH ones need nothing. An
 * unpartitioned asset is its single index 0, so it is included when it is not FRESH (nor RUNNING).
 *
 * @example
 * stalePartitions(computeStatus(definitions, summaries, now).get("raw/offres")!)
 */
export function stalePartitions(status: StatusSubsets): IntervalSet {
  return status.subsets.MISSING.union(status.subsets.STALE).union(status.subsets.FAILED);
}

/**
 * Pure: per selected asset, the partitions to materialise for a `{ kind: "stale" }` request,
 * from statuses the caller computed (`computeStatus`), within `within`'s partitions per asset
 * when given (a stale request over a range). Assets with nothing to do are left out;
 * when nothing at all is left, throws NothingToMaterializeError (bad input: no run is created).
 *
 * @example
 * staleTargets(["raw/offres", "emploi/fait_offre_emploi"], statuses)
 * // Map { "raw/offres" → {[19_936, 19_937)} }
 */
export function staleTargets(
  assetKeys: readonly string[],
  statuses: ReadonlyMap<string, StatusSubsets>,
  within?: ReadonlyMap<string, IntervalSet>,
): Map<string, IntervalSet> {
  const out = new Map<string, IntervalSet>();
  let running = false;
  for (const key of assetKeys) {
    const status = statuses.get(key);
    // computeStatus covers every asset of the definitions: a gap is the caller's mistake.
    if (!status) throw new LigneeError("RUNTIME", `no status was computed for asset ${key}`);
    const limit = within?.get(key);
    const todo = limit ? stalePartitions(status).intersect(limit) : stalePartitions(status);
    const runningHere = limit ? status.subsets.RUNNING.intersect(limit) : status.subsets.RUNNING;
    if (!runningHere.isEmpty) running = true;
    if (!todo.isEmpty) out.set(key, todo);
  }
  if (out.size === 0) {
    throw new NothingToMaterializeError(
      running
        ? "nothing to materialise: every selected asset is fresh or being materialised"
        : "nothing to materialise: every selected asset is fresh",
    );
  }
  return out;
}
