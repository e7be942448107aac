import type { AssetFreshness } from "../api/types";
import { freshnessDetail, freshnessLabel } from "./freshness-text";

/** Where an asset stands against its freshness policy; nothing when it has none. */
export function FreshnessBadge({
  freshness,
  className = "",
  testId = "freshness-badge",
}: {
  freshness: AssetFreshness;
  className?: string;
  testId?: string;
}) {
  if (!freshness) return null;
  return (
    <span
      className={`freshness-badge freshness-${freshness.state} ${className}`.trim()}
      data-testid={testId}
      data-state={freshness.state}
      title={freshnessDetail(freshness)}
    >
      {freshnessLabel(freshness)}
    </span>
  );
}
