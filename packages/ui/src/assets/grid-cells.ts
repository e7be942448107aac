import type { AssetStatus, KeyRange } from "../api/types";

/**
 * The health grid's model. The API sends two-dimensional partitions as their periods and their
 * static keys (hourly × 100 régions would be millions of keys): a partition's position is
 * `period × n + static key`, n the number of static keys, time-major as the API's key ranges;
 * only the cells of the window shown are computed.
 */
export interface GridAxes {
  readonly periodKeys: readonly string[];
  readonly staticKeys: readonly string[];
}

/** The key of the partition at `position`. */
export function cellKey(axes: GridAxes, position: number): string {
  const n = axes.staticKeys.length;
  const period = Math.floor(position / n);
  return `${axes.periodKeys[period]!}|${axes.staticKeys[position - period * n]!}`;
}

/** A key's position, or undefined for a key that is not a partition of the grid. */
function positionOf(
  periods: ReadonlyMap<string, number>,
  statics: ReadonlyMap<string, number>,
  key: string,
): number | undefined {
  const at = key.lastIndexOf("|");
  const t = periods.get(key.slice(0, at));
  const s = statics.get(key.slice(at + 1));
  return at < 0 || t === undefined || s === undefined ? undefined : t * statics.size + s;
}

/** The API's key ranges as position ranges (inclusive); a range naming an unknown key is skipped. */
function positionRanges(axes: GridAxes, ranges: readonly KeyRange[]): [number, number][] {
  const periods = new Map(axes.periodKeys.map((k, i) => [k, i]));
  const statics = new Map(axes.staticKeys.map((k, i) => [k, i]));
  const out: [number, number][] = [];
  for (const [fromKey, toKey] of ranges) {
    const from = positionOf(periods, statics, fromKey);
    const to = positionOf(periods, statics, toKey);
    if (from !== undefined && to !== undefined) out.push([from, to]);
  }
  return out;
}

/** `out[i - start] = value` for each position i of `ranges` in [start, end). */
function fill<T>(out: T[], ranges: readonly [number, number][], start: number, value: T): void {
  const end = start + out.length;
  for (const [a, b] of ranges) {
    for (let i = Math.max(a, start); i <= Math.min(b, end - 1); i++) out[i - start] = value;
  }
}

/** The status of each cell of periods [first, end), time-major. */
export function windowStatuses(
  axes: GridAxes,
  ranges: Partial<Record<AssetStatus, readonly KeyRange[]>>,
  first: number,
  end: number,
): AssetStatus[] {
  const n = axes.staticKeys.length;
  const out = new Array<AssetStatus>(Math.max(0, end - first) * n).fill("MISSING");
  for (const [status, list] of Object.entries(ranges) as [AssetStatus, readonly KeyRange[]][])
    fill(out, positionRanges(axes, list), first * n, status);
  return out;
}

/** Which cells of periods [first, end) wait on upstream, from the API's `waitingRanges`. */
export function windowWaiting(
  axes: GridAxes,
  waitingRanges: readonly KeyRange[],
  first: number,
  end: number,
): boolean[] {
  const out = new Array<boolean>(Math.max(0, end - first) * axes.staticKeys.length).fill(false);
  fill(out, positionRanges(axes, waitingRanges), first * axes.staticKeys.length, true);
  return out;
}

/** Per period: FRESH when any of its partitions was materialised (whatever its status), else MISSING. */
export function periodStatuses(
  axes: GridAxes,
  ranges: Partial<Record<AssetStatus, readonly KeyRange[]>>,
): AssetStatus[] {
  const n = axes.staticKeys.length;
  const out = new Array<AssetStatus>(axes.periodKeys.length).fill("MISSING");
  for (const [status, list] of Object.entries(ranges) as [AssetStatus, readonly KeyRange[]][]) {
    if (status === "MISSING") continue;
    for (const [a, b] of positionRanges(axes, list)) {
      for (let t = Math.floor(a / n); t <= Math.floor(b / n); t++) out[t] = "FRESH";
    }
  }
  return out;
}
