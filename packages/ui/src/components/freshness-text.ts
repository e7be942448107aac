import type { AssetFreshness } from "../api/types";

/** `Aug 5, 07:00`: a short local time, on a 24-hour clock. */
export function shortTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
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
  if (f.partitionKey) {
    const more = (f.missing ?? 1) > 1 ? ` and ${(f.missing ?? 1) - 1} later` : "";
    lines.push(`partition ${f.partitionKey}${more} missing`);
  }
  lines.push(`policy: ${f.policy}`);
  return lines.join("\n");
}
