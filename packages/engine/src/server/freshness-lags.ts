import type { Definitions } from "../definitions/definitions";
import { computeFreshness } from "../status/asset-freshness";
import type { Storage } from "../storage/storage";

/** One asset's freshness as a metric: `lignee_asset_freshness_lag_seconds{asset}` and its overdue flag. */
export interface FreshnessLag {
  readonly asset: string;
  /**
   * Deadline policy: how long past its deadline the expected partition is (0 when fresh).
   * maxLag policy: how old the latest materialisation is. Null: never materialised (maxLag).
   */
  readonly lagSeconds: number | null;
  readonly overdue: boolean;
}

/**
 * The freshness lag of every asset with a freshness policy at `now`, read from what storage
 * already knows (no second source of truth), for the metrics endpoint.
 *
 * @example
 * for (const { asset, lagSeconds, overdue } of await freshnessLags(definitions, storage, new Date()))
 *   gauge.set({ asset }, lagSeconds ?? Number.POSITIVE_INFINITY);
 */
export async function freshnessLags(
  definitions: Definitions<unknown>,
  storage: Pick<Storage, "getAssetSummaries" | "lastMaterializedAt">,
  now: Date,
): Promise<FreshnessLag[]> {
  if (!definitions.assets.some((a) => definitions.freshnessPolicy(a.key))) return [];
  const [summaries, last] = await Promise.all([
    storage.getAssetSummaries(),
    storage.lastMaterializedAt(),
  ]);
  return [...computeFreshness(definitions, summaries, last, now).values()].map((f) => ({
    asset: f.key,
    lagSeconds: f.evaluation.lagSeconds,
    overdue: f.evaluation.state === "overdue",
  }));
}
