import type { AssetStatus, KeyRange } from "../api/types";

/**
 * The partition health bar's model: the status of each partition from the API's ranges, and the
 * segments drawn for a window of partitions. Small windows get one cell per partition; larger
 * ones merge consecutive partitions of the same status into one segment (ranges compressed), so
 * drawing costs the number of status changes, not the number of partitions.
 */

export interface Segment {
  /** Index of the first and last partition (inclusive) in the asset's partition keys. */
  readonly from: number;
  readonly to: number;
  readonly status: AssetStatus | "MIXED";
  /** Every partition of the segment waits on an upstream partition never materialised. */
  readonly waiting: boolean;
}

/** At most this many partitions are drawn one cell each. */
export const MAX_CELLS = 120;
/** Beyond this many segments, neighbours merge further (then shown as "mixed"). */
export const MAX_SEGMENTS = 400;

export function partitionStatuses(
  keys: readonly string[],
  ranges: Partial<Record<AssetStatus, readonly KeyRange[]>>,
): AssetStatus[] {
  const index = indexOf(keys);
  const out: AssetStatus[] = new Array<AssetStatus>(keys.length).fill("MISSING");
  for (const [status, list] of Object.entries(ranges) as [AssetStatus, readonly KeyRange[]][])
    fillRanges(out, index, list, status);
  return out;
}

/** Which partitions wait on upstream, from the API's `waitingRanges`. */
export function waitingFlags(keys: readonly string[], ranges: readonly KeyRange[]): boolean[] {
  const out = new Array<boolean>(keys.length).fill(false);
  fillRanges(out, indexOf(keys), ranges, true);
  return out;
}

function indexOf(keys: readonly string[]): Map<string, number> {
  return new Map(keys.map((k, i) => [k, i]));
}

/** `out[i] = value` for each partition i in `ranges`; a range naming an unknown key is skipped. */
function fillRanges<T>(
  out: T[],
  index: ReadonlyMap<string, number>,
  ranges: readonly KeyRange[],
  value: T,
): void {
  for (const [fromKey, toKey] of ranges) {
    const from = index.get(fromKey);
    const to = index.get(toKey);
    if (from === undefined || to === undefined) continue;
    for (let i = from; i <= to; i++) out[i] = value;
  }
}

export function segmentsOf(
  statuses: readonly AssetStatus[],
  window: { readonly start: number; readonly end: number },
  waiting: readonly boolean[] = [],
): Segment[] {
  const { start, end } = window;
  const waits = (i: number): boolean => waiting[i] === true;
  if (end - start <= MAX_CELLS) {
    const cells: Segment[] = [];
    for (let i = start; i < end; i++)
      cells.push({ from: i, to: i, status: statuses[i]!, waiting: waits(i) });
    return cells;
  }
  const runs: Segment[] = [];
  for (let i = start; i < end; i++) {
    const last = runs.at(-1);
    if (last && last.status === statuses[i] && last.waiting === waits(i))
      runs[runs.length - 1] = { ...last, to: i };
    else runs.push({ from: i, to: i, status: statuses[i]!, waiting: waits(i) });
  }
  if (runs.length <= MAX_SEGMENTS) return runs;
  // Too fragmented to draw each run: fixed buckets, "mixed" where statuses differ.
  const size = Math.ceil((end - start) / MAX_SEGMENTS);
  const buckets: Segment[] = [];
  for (let from = start; from < end; from += size) {
    const to = Math.min(end, from + size) - 1;
    let status: Segment["status"] = statuses[from]!;
    let allWaiting = waits(from);
    for (let i = from + 1; i <= to; i++) {
      if (statuses[i] !== status) status = "MIXED";
      if (!waits(i)) allWaiting = false;
    }
    buckets.push({ from, to, status, waiting: allWaiting });
  }
  return buckets;
}

/** The partition index under a horizontal position of the bar (0 ≤ fraction ≤ 1). */
export function indexAt(fraction: number, window: { start: number; end: number }): number {
  const count = window.end - window.start;
  const i = window.start + Math.floor(Math.min(Math.max(fraction, 0), 0.999999) * count);
  return Math.min(window.end - 1, Math.max(window.start, i));
}
