import type { AssetHealth } from "../api/types";
import { formatNumber } from "../format";
import "./asset-health-summary.css";

/**
 * An asset's headline in words: `3 / 926 materialised · 0 stale · 0 failed`, then what is
 * waiting on upstream or running when there is some.
 *
 * @example
 * healthHeadline(node.health) // "3 / 926 materialised · 0 stale · 0 failed"
 */
export function healthHeadline(health: AssetHealth): string {
  const parts = [
    `${formatNumber(health.materialized)} / ${formatNumber(health.total)} materialised`,
    `${formatNumber(health.stale)} stale`,
    `${formatNumber(health.failed)} failed`,
  ];
  if (health.waiting > 0) parts.push(`${formatNumber(health.waiting)} waiting on upstream`);
  if (health.running > 0) parts.push(`${formatNumber(health.running)} running`);
  return parts.join(" · ");
}

/**
 * The headline of an asset (asset page, lineage node, catalog) in the colour of its worst state
 * that needs action: failed, then stale, then missing, then running; green only when all of it
 * is fresh.
 */
export function AssetHealthSummary({
  health,
  compact = false,
}: {
  health: AssetHealth;
  /** Without the dot and padding, e.g. inside a lineage node. */
  compact?: boolean;
}) {
  return (
    <span
      className={`asset-health-summary health-${health.worst.toLowerCase()}${compact ? " compact" : ""}`}
      data-testid="asset-health"
      data-worst={health.worst}
      title={`worst state: ${health.worst.toLowerCase()}`}
    >
      {healthHeadline(health)}
    </span>
  );
}
