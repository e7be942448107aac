import type { Definitions } from "../definitions/definitions";
import type { FreshnessPolicy } from "../definitions/freshness-policy";
import { IntervalSet } from "../partitions/interval-set";
import type { AssetStorageSummary } from "./asset-storage-summary";
import { evaluateFreshness, type FreshnessEvaluation } from "./freshness";

/** An asset with a freshness policy, and where it stands. */
export interface AssetFreshness {
  readonly key: string;
  readonly policy: FreshnessPolicy;
  readonly evaluation: FreshnessEvaluation;
}

/**
 * Pure: the freshness of every asset that declares a policy, in topological order, from the
 * stored roll-ups (`Storage.getAssetSummaries`, `Storage.lastMaterializedAt`).
 *
 * @example
 * const [summaries, last] = await Promise.all([storage.getAssetSummaries(), storage.lastMaterializedAt()]);
 * computeFreshness(definitions, summaries, last, new Date()).get("raw/offres")?.evaluation.state;
 */
export function computeFreshness(
  definitions: Definitions<unknown>,
  summaries: ReadonlyMap<string, AssetStorageSummary>,
  lastMaterializedAt: ReadonlyMap<string, Date>,
  now: Date,
): Map<string, AssetFreshness> {
  const result = new Map<string, AssetFreshness>();
  for (const asset of definitions.assets) {
    const policy = definitions.freshnessPolicy(asset.key);
    if (!policy) continue;
    const versions = summaries.get(asset.key)?.versions ?? [];
    const facts = {
      materialized: IntervalSet.unionAll(versions.map((v) => v.partitions)),
      lastMaterializedAt: lastMaterializedAt.get(asset.key),
    };
    result.set(asset.key, {
      key: asset.key,
      policy,
      evaluation: evaluateFreshness(policy, asset.partitions, facts, now),
    });
  }
  return result;
}
