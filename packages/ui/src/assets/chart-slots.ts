/**
 * Where a chart's bars go. A partitioned asset's bars stand at their partitions' places between
 * the first and the last plotted partition, so a partition without a value leaves a gap (as it
 * does in the health bar); points whose keys are not all among the partitions keep their order.
 */
export interface ChartSlots {
  /** Slots across the chart's width. */
  readonly count: number;
  /** Each point's slot, in the points' order. */
  readonly positions: readonly number[];
}

export function chartSlots(
  pointKeys: readonly string[],
  partitionKeys: readonly string[] | undefined,
): ChartSlots {
  const sequential = { count: pointKeys.length, positions: pointKeys.map((_, i) => i) };
  if (!partitionKeys || partitionKeys.length === 0 || pointKeys.length === 0) return sequential;
  const indexOf = new Map(partitionKeys.map((k, i) => [k, i]));
  const indices = pointKeys.map((k) => indexOf.get(k));
  if (indices.some((i) => i === undefined)) return sequential;
  const found = indices as number[];
  const first = Math.min(...found);
  const last = Math.max(...found);
  return { count: last - first + 1, positions: found.map((i) => i - first) };
}

/** A bar never gets wider than this: a few bars stay bars, not slabs. */
const MAX_BAR = 24;

/** Each bar's x and width over `width`: centred in its slot, a hair apart when there is room. */
export function barGeometry(
  slots: ChartSlots,
  width: number,
): { readonly x: number; readonly width: number }[] {
  const slot = width / Math.max(slots.count, 1);
  const bar = slot > 3 && slot <= MAX_BAR ? slot - 1 : Math.min(slot, MAX_BAR);
  return slots.positions.map((p) => ({ x: p * slot + (slot - bar) / 2, width: bar }));
}
