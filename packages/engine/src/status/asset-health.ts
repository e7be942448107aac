import type { AssetStatus, PartitionStatus } from "./asset-status";

/** An asset's headline: how much of it is materialised, and the state that most needs action. */
export interface AssetHealth {
  /** Existing partitions with data to read: FRESH or STALE. */
  readonly materialized: number;
  readonly total: number;
  readonly fresh: number;
  readonly stale: number;
  readonly failed: number;
  /** MISSING partitions, those waiting on upstream included. */
  readonly missing: number;
  /** MISSING or FAILED partitions waiting on upstream partitions never materialised. */
  readonly waiting: number;
  readonly running: number;
  /**
   * MISSING, STALE or FAILED partitions (not waiting) held by a failed check upstream: stale
   * requests leave them out. Left out when none is.
   */
  readonly held?: number;
  /** FAILED, then STALE, then MISSING, then RUNNING; FRESH only when all of it is fresh. */
  readonly worst: PartitionStatus;
}

/**
 * Pure: the headline of an asset from its status, e.g. `3 / 926 materialised · 0 stale · 0
 * failed` with the colour of `worst`. Unlike the overall `status` (FRESH as soon as something
 * is fresh and nothing is stale), a partitioned asset with missing partitions is not FRESH here.
 *
 * @example
 * assetHealth(computeStatus(definitions, summaries, now).get("raw/offres")!)
 * // { materialized: 3, total: 926, missing: 923, worst: "MISSING", … }
 */
export function assetHealth(
  status: Pick<AssetStatus, "counts" | "total" | "waiting"> &
    Partial<Pick<AssetStatus, "held" | "subsets">>,
): AssetHealth {
  const c = status.counts;
  const worst: PartitionStatus =
    c.FAILED > 0
      ? "FAILED"
      : c.STALE > 0
        ? "STALE"
        : c.MISSING > 0
          ? "MISSING"
          : c.RUNNING > 0
            ? "RUNNING"
            : "FRESH";
  return {
    materialized: c.FRESH + c.STALE,
    total: status.total,
    fresh: c.FRESH,
    stale: c.STALE,
    failed: c.FAILED,
    missing: c.MISSING,
    waiting: status.waiting.size,
    running: c.RUNNING,
    ...heldCount(status),
    worst,
  };
}

function heldCount(
  status: Pick<AssetStatus, "waiting"> & Partial<Pick<AssetStatus, "held" | "subsets">>,
): { held?: number } {
  if (!status.held || !status.subsets || status.held.isEmpty) return {};
  const { MISSING, STALE, FAILED } = status.subsets;
  const held = status.held.intersect(MISSING.union(STALE).union(FAILED)).subtract(status.waiting);
  return held.isEmpty ? {} : { held: held.size };
}

/**
 * A partitioned asset's headline in words, as the UI shows it.
 *
 * @example
 * describeHealth(assetHealth(status)) // "3 / 926 materialised · 0 stale · 0 failed"
 */
export function describeHealth(health: AssetHealth): string {
  const parts = [
    `${health.materialized} / ${health.total} materialised`,
    `${health.stale} stale`,
    `${health.failed} failed`,
  ];
  if (health.waiting > 0) parts.push(`${health.waiting} waiting on upstream`);
  if (health.held) parts.push(`${health.held} held by a failed check or a change of partitions`);
  if (health.running > 0) parts.push(`${health.running} running`);
  return parts.join(" · ");
}
