import { InvalidPartitionError } from "../errors";
import type {
  PartitionsDefinition,
  StaticPartitionsDefinition,
  TimePartitionsDefinition,
} from "./definition";
import { IntervalSet, type Range } from "./interval-set";
import { firstPeriod, isTimePartitions, periodAt, timeAxis } from "./time-periods";

/** Joins the time key and the static key of a two-dimensional partition: `2024-08-01|84`. */
export const MULTI_KEY_SEPARATOR = "|";

/**
 * Two-dimensional partitions: a time dimension (hourly, daily, weekly or monthly) × a static
 * one, e.g. day × région. Key: the time key, `|`, the static key (`2024-08-01|84`), whatever
 * order the dimensions were declared in. Index: `timeIndex × n + staticIndex`, n the number of
 * static keys — time-major, so that the n partitions of one period are consecutive and a range
 * of periods is one range of indices.
 */
export interface MultiPartitionsDefinition {
  readonly kind: "multi";
  readonly time: { readonly name: string; readonly partitions: TimePartitionsDefinition };
  readonly static: { readonly name: string; readonly partitions: StaticPartitionsDefinition };
}

/** Indices must fit PostgreSQL's int4 (int4multirange roll-ups) until then. */
const INDEX_HORIZON = new Date("2100-01-01T00:00:00Z");
const INT4_MAX = 2 ** 31 - 1;
const INT4_MIN = -(2 ** 31);

/**
 * @example
 * multiPartitions({ date: dailyPartitions({ start: "2024-08-01" }), region: staticPartitions(["84", "93"]) })
 * // keys "2024-08-01|84", "2024-08-01|93", "2024-08-02|84", …
 */
export function multiPartitions(
  dimensions: Readonly<Record<string, PartitionsDefinition>>,
): MultiPartitionsDefinition {
  const entries = Object.entries(dimensions);
  const time = entries.filter(([, d]) => isTimePartitions(d));
  const fixed = entries.filter(([, d]) => d.kind === "static");
  const [t] = time;
  const [s] = fixed;
  if (entries.length !== 2 || !t || !s) {
    throw new InvalidPartitionError(
      `multi partitions: two dimensions, one of time partitions (hourly, daily, weekly or monthly) and one of static partitions; got ${
        entries.map(([name, d]) => `${name} (${d.kind})`).join(", ") || "none"
      }`,
    );
  }
  const staticDef = s[1] as StaticPartitionsDefinition;
  const timeDef = t[1] as TimePartitionsDefinition;
  const bad = staticDef.keys.find((k) => k.includes(MULTI_KEY_SEPARATOR));
  if (bad !== undefined) {
    throw new InvalidPartitionError(
      `multi partitions: static key "${bad}" contains "${MULTI_KEY_SEPARATOR}", which separates the dimensions of a key`,
    );
  }
  const n = staticDef.keys.length;
  // The first index is the first period's (before 1970, negative); the last is that of the
  // last period up to 2100, the end offset included.
  const first = firstPeriod(timeDef);
  const lastPeriod = periodAt(timeAxis(timeDef), INDEX_HORIZON) + Math.max(timeDef.endOffset, 0);
  if (first * n < INT4_MIN || (lastPeriod + 1) * n - 1 > INT4_MAX) {
    throw new InvalidPartitionError(
      `multi partitions: ${n} static keys are too many for ${timeDef.kind} partitions from ${timeDef.start}${
        timeDef.endOffset > 0 ? ` with endOffset ${timeDef.endOffset}` : ""
      } (indices would not fit 32 bits)`,
    );
  }
  return {
    kind: "multi",
    time: { name: t[0], partitions: timeDef },
    static: { name: s[0], partitions: staticDef },
  };
}

/** The number of static keys: partitions per period. */
function staticCount(def: MultiPartitionsDefinition): number {
  return def.static.partitions.keys.length;
}

export function combineIndex(def: MultiPartitionsDefinition, time: number, key: number): number {
  return time * staticCount(def) + key;
}

export function splitIndex(
  def: MultiPartitionsDefinition,
  index: number,
): { time: number; key: number } {
  const n = staticCount(def);
  const time = Math.floor(index / n);
  return { time, key: index - time * n };
}

/** The periods of which at least one partition is in `subset`. */
export function projectOnTime(def: MultiPartitionsDefinition, subset: IntervalSet): IntervalSet {
  const n = staticCount(def);
  return IntervalSet.fromRanges(
    subset.ranges.map(([a, b]): Range => [Math.floor(a / n), Math.floor((b - 1) / n) + 1]),
  );
}

/** Every partition of the given periods. */
export function expandTime(def: MultiPartitionsDefinition, periods: IntervalSet): IntervalSet {
  const n = staticCount(def);
  return IntervalSet.fromRanges(periods.ranges.map(([a, b]): Range => [a * n, b * n]));
}

/** Per static key, the periods of `subset` that have it. */
export function slicesByKey(def: MultiPartitionsDefinition, subset: IntervalSet): IntervalSet[] {
  const n = staticCount(def);
  const slices: Range[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of subset.ranges) {
    for (let s = 0; s < n; s++) {
      const first = Math.ceil((a - s) / n);
      const end = Math.floor((b - 1 - s) / n) + 1;
      if (end > first) slices[s]!.push([first, end]);
    }
  }
  return slices.map((ranges) => IntervalSet.fromRanges(ranges));
}

/** The inverse of slicesByKey. */
export function joinSlices(
  def: MultiPartitionsDefinition,
  slices: readonly IntervalSet[],
): IntervalSet {
  const first = slices[0];
  if (first && slices.every((s) => s.equals(first))) return expandTime(def, first);
  const n = staticCount(def);
  const indices: number[] = [];
  for (const [s, slice] of slices.entries()) {
    for (const t of slice) indices.push(t * n + s);
  }
  return IntervalSet.fromIndices(indices);
}
