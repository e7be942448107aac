import type { PartitionsDefinition } from "../partitions/definition";
import { DEFAULT_TIMEZONE } from "../partitions/definition";
import { cronProblem } from "./cron";

/**
 * When an asset's data must be there (`defineAsset({ freshness })`), evaluated by the scheduler
 * and shown as `OVERDUE` in the status, the API, the CLI and the UI.
 *
 * - `{ deadline, timezone? }`, for a daily-partitioned asset: at each instant of the cron
 *   expression `deadline` (read in `timezone`, default Europe/Paris), the last partition that
 *   ended before it must be materialised. `"0 7 * * *"` means "J-1 by 07:00".
 * - `{ maxLag }`, for an unpartitioned asset: its latest materialisation is at most `maxLag`
 *   old. A number of milliseconds, or a text such as `"90s"`, `"30m"`, `"2h"`, `"1d"`,
 *   `"1h30m"`.
 */
export type FreshnessPolicyInput =
  { readonly deadline: string; readonly timezone?: string } | { readonly maxLag: number | string };

/** A freshness policy as the definitions hold it (timezone and lag resolved). */
export type FreshnessPolicy =
  | { readonly kind: "deadline"; readonly deadline: string; readonly timezone: string }
  | { readonly kind: "max-lag"; readonly maxLagMs: number; readonly maxLag: string };

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;

/**
 * A duration in milliseconds from `"2h"`, `"30m"`, `"1h30m"`, `"90s"`, `"1d"`, `"500ms"` or a
 * number of milliseconds; undefined when it is not one, or not positive.
 *
 * @example
 * parseDuration("1h30m") // 5_400_000
 */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value > 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  let rest = value.trim();
  if (rest.length === 0) return undefined;
  let total = 0;
  while (rest.length > 0) {
    const m = DURATION.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    rest = rest.slice(m[0].length).trimStart();
  }
  return total > 0 ? total : undefined;
}

/** `5400000` → `1h30m`: how a lag is shown. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}ms`);
  return parts.join("");
}

/**
 * Resolves what `defineAsset` was given, or says what is wrong with it (in words, without the
 * asset's name, which the caller adds). `partitions` decides which kind of policy fits.
 */
export function resolveFreshnessPolicy(
  input: unknown,
  partitions: PartitionsDefinition | undefined,
): { policy: FreshnessPolicy } | { problem: string } {
  if (typeof input !== "object" || input === null) {
    return { problem: "freshness must be { deadline, timezone? } or { maxLag }" };
  }
  const record = input as Record<string, unknown>;
  const hasDeadline = record.deadline !== undefined;
  const hasLag = record.maxLag !== undefined;
  if (hasDeadline === hasLag) {
    return { problem: "freshness must have either a deadline (cron) or a maxLag, not both" };
  }
  if (hasLag) {
    if (partitions) {
      return {
        problem:
          'freshness: maxLag applies to unpartitioned assets; a partitioned asset takes a deadline (e.g. { deadline: "0 7 * * *" })',
      };
    }
    const ms = parseDuration(record.maxLag as number | string);
    if (ms === undefined) {
      return {
        problem: `freshness: invalid maxLag ${JSON.stringify(record.maxLag)} (milliseconds, or e.g. "30m", "2h", "1d")`,
      };
    }
    return { policy: { kind: "max-lag", maxLagMs: ms, maxLag: formatDuration(ms) } };
  }
  if (partitions?.kind !== "daily") {
    return {
      problem: partitions
        ? partitions.kind === "static"
          ? "freshness: a deadline needs daily partitions (static partitions have no time)"
          : `freshness: a deadline needs daily partitions (not ${partitions.kind} ones yet)`
        : 'freshness: a deadline needs daily partitions; an unpartitioned asset takes a maxLag (e.g. { maxLag: "2h" })',
    };
  }
  const timezone = record.timezone ?? DEFAULT_TIMEZONE;
  if (typeof timezone !== "string" || typeof record.deadline !== "string") {
    return { problem: "freshness: deadline and timezone must be strings" };
  }
  const problem = cronProblem(record.deadline, timezone);
  if (problem) return { problem: `freshness deadline: ${problem}` };
  return { policy: { kind: "deadline", deadline: record.deadline, timezone } };
}

/**
 * A policy in words, e.g. `previous partition by 0 7 * * * (Europe/Paris)` or `at most 2h old`.
 */
export function describeFreshnessPolicy(policy: FreshnessPolicy): string {
  return policy.kind === "deadline"
    ? `previous partition by "${policy.deadline}" (${policy.timezone})`
    : `at most ${policy.maxLag} old`;
}
