import type { PartitionsDefinition } from "../partitions/definition";
import { rangesAsKeys } from "../partitions/key-ranges";
import type { IntervalSet } from "../partitions/interval-set";

/** A compact text for a subset: `2024-05-23…2024-06-01, 2024-06-03`. */
export function describeSubset(
  def: PartitionsDefinition | undefined,
  subset: IntervalSet,
  max = 3,
): string {
  const ranges = rangesAsKeys(def, subset);
  const text = ranges.slice(0, max).map(([a, b]) => (a === b ? a : `${a}…${b}`));
  if (ranges.length > max) text.push(`+${ranges.length - max} more ranges`);
  return text.join(", ");
}

/** Left-aligned columns, two spaces apart. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((row) =>
      row
        .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return "-";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
