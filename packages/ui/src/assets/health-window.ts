import type { AssetStatus } from "../api/types";
import { MAX_CELLS } from "./health-segments";

/** The health bar's windows: the latest n partitions, or all of them. */
export const WINDOW_SIZES = [7, 30, 90, 365, Infinity] as const;
export type WindowSize = (typeof WINDOW_SIZES)[number];

/** Below this share of "All", the materialised partitions would be a sliver. */
const SLIVER = 0.05;

/**
 * The window the health bar opens on: where the materialised partitions are visible, not a
 * sliver at the end of "All".
 *
 * - Few partitions (one cell each fits): "All".
 * - Otherwise the smallest window that holds every materialised partition (7 days of offers
 *   collected lately: "Last 7").
 * - When only "All" holds them all and they would be a sliver of it (three old days and three
 *   recent ones among 900), the smallest window whose right half holds the latest materialised
 *   partition, so that it shows with the days before it.
 * - Nothing materialised: "All" (everything is missing, there is nothing to zoom on).
 */
export function initialWindow(statuses: readonly AssetStatus[]): WindowSize {
  const n = statuses.length;
  if (n <= MAX_CELLS) return Infinity;
  const first = statuses.findIndex((s) => s !== "MISSING");
  if (first < 0) return Infinity;
  const last = statuses.findLastIndex((s) => s !== "MISSING");
  const sizes = WINDOW_SIZES.filter((s) => s < n);
  const holdingAll = sizes.find((s) => n - s <= first);
  if (holdingAll !== undefined) return holdingAll;
  const materialized = statuses.reduce((k, s) => (s === "MISSING" ? k : k + 1), 0);
  if (materialized / n >= SLIVER) return Infinity;
  return sizes.find((s) => n - last <= s / 2) ?? Infinity;
}
