import type { AssetFreshness } from "../api/types";
import { formatTime } from "../format";

/**
 * `Aug 5, 07:00`: a short local time on a 24-hour clock; `Aug 5, 2024` (the day alone) when it
 * is not this year, as the hour no longer matters then.
 */
export function shortTime(iso: string, now = new Date()): string {
  const at = new Date(iso);
  if (at.getFullYear() !== now.getFullYear()) {
    return at.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
  }
  return at.toLocaleString(undefined, {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
}

/** The badge's words: `Overdue since Aug 5, 07:00`, `Overdue · never materialised`, `On time`. */
export function freshnessLabel(f: NonNullable<AssetFreshness>): string {
  if (f.state === "fresh") return "On time";
  return f.since ? `Overdue since ${shortTime(f.since)}` : "Overdue · never materialised";
}

/** The tooltip: what is missing and the policy. */
export function freshnessDetail(f: NonNullable<AssetFreshness>): string {
  const lines = [freshnessLabel(f)];
  if (f.since) lines.push(`since ${formatTime(f.since)}`);
  if (f.partitionKey) {
    const more = (f.missing ?? 1) > 1 ? ` and ${(f.missing ?? 1) - 1} later` : "";
    lines.push(`partition ${f.partitionKey}${more} missing`);
  }
  lines.push(`policy: ${f.policy}`);
  return lines.join("\n");
}
