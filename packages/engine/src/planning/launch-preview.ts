import type { Definitions } from "../definitions/definitions";
import type { StepDuration } from "../storage/sql/step-durations";
import type { LeftOut } from "./stale-targets";

/** Above this many partitions in all, a launch from the UI asks for confirmation first. */
export const PREVIEW_CONFIRM_ABOVE = 50;

/** How many recent successful steps of an asset its estimate is the median of. */
export const ESTIMATE_SAMPLE = 20;

export interface AssetPreview {
  readonly assetKey: string;
  readonly partitions: number;
  /** The asset's own limit without confirmation (e.g. 7 days of calls to an external API). */
  readonly confirmAbove: number | null;
  /** Median seconds per partition of its recent successful steps; null when never measured. */
  readonly secondsPerPartition: number | null;
  /** How many steps the median was taken over. */
  readonly measuredSteps: number;
}

/** What a launch would do, before it is started: what `POST /api/runs` with `preview` answers. */
export interface LaunchPreview {
  readonly assets: readonly AssetPreview[];
  readonly totalPartitions: number;
  readonly leftOut: readonly LeftOut[];
  /** Seconds, from measured durations; null when no asset of the launch was ever measured. */
  readonly estimateSeconds: number | null;
  /** The most steps any asset's estimate was measured over (the "last K runs"). */
  readonly measuredSteps: number;
  /** Assets with partitions to build but no measurement yet (not in the estimate). */
  readonly unmeasured: readonly string[];
  /** Whether whoever launches should confirm first, and why (e.g. `924 partitions`). */
  readonly needsConfirmation: boolean;
  readonly reason: string | null;
}

/**
 * Pure: a launch's partition count per asset, an estimate of its duration from measured step
 * durations, and whether to ask for confirmation: more than PREVIEW_CONFIRM_ABOVE partitions in
 * all, or more partitions of an asset than its `confirmAbove` or the platform's `limit`.
 * Assets that one runner builds together (one dbt build) count once: the longest of them.
 *
 * @example
 * launchPreview(definitions, partitionCounts(prepared.plan), prepared.leftOut,
 *   await storage.recentStepDurations(prepared.assetKeys, ESTIMATE_SAMPLE), { limit: 100 })
 */
export function launchPreview(
  definitions: Definitions<unknown>,
  counts: ReadonlyMap<string, number>,
  leftOut: readonly LeftOut[],
  durations: readonly StepDuration[],
  options: { readonly limit: number },
): LaunchPreview {
  const assets: AssetPreview[] = [];
  for (const [assetKey, partitions] of counts) {
    const samples = durations
      .filter((d) => d.assetKey === assetKey)
      .map((d) => d.durationMs / 1000 / d.partitions);
    assets.push({
      assetKey,
      partitions,
      confirmAbove: definitions.get(assetKey).confirmAbove ?? null,
      secondsPerPartition: samples.length > 0 ? median(samples) : null,
      measuredSteps: samples.length,
    });
  }
  const byRunner = new Map<string, number>();
  for (const a of assets) {
    if (a.secondsPerPartition === null) continue;
    const group = definitions.get(a.assetKey).runner?.key ?? `asset:${a.assetKey}`;
    const seconds = a.secondsPerPartition * Math.max(1, a.partitions);
    byRunner.set(group, Math.max(byRunner.get(group) ?? 0, seconds));
  }
  const measured = assets.filter((a) => a.secondsPerPartition !== null);
  const totalPartitions = assets.reduce((n, a) => n + Math.max(1, a.partitions), 0);
  const reason = confirmationReason(assets, totalPartitions, options.limit);
  return {
    assets,
    totalPartitions,
    leftOut,
    estimateSeconds:
      measured.length > 0 ? [...byRunner.values()].reduce((sum, s) => sum + s, 0) : null,
    measuredSteps: Math.max(0, ...measured.map((a) => a.measuredSteps)),
    unmeasured: assets.filter((a) => a.secondsPerPartition === null).map((a) => a.assetKey),
    needsConfirmation: reason !== null,
    reason,
  };
}

function confirmationReason(
  assets: readonly AssetPreview[],
  total: number,
  limit: number,
): string | null {
  for (const a of assets) {
    const own = a.confirmAbove !== null ? Math.min(a.confirmAbove, limit) : limit;
    if (a.partitions > own) {
      return `${a.partitions} partitions of ${a.assetKey}, more than the ${own} it may materialise at once without confirmation`;
    }
  }
  if (total > PREVIEW_CONFIRM_ABOVE) {
    return `${total} partitions, more than ${PREVIEW_CONFIRM_ABOVE}`;
  }
  return null;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
