import {
  allPartitions,
  isTimePartitions,
  partitionBounds,
  partitionsFingerprint,
  timeAxis,
  timeDimension,
  type PartitionsDefinition,
  type TimePartitionsDefinition,
} from "./definition";
import { InvalidPartitionError } from "../errors";
import { IntervalSet, type Range } from "./interval-set";
import { expandTime, joinSlices, projectOnTime, slicesByKey } from "./multi";
import { periodsOverlapping, periodStart } from "./time-periods";

/**
 * How the partitions of a downstream asset depend on those of an upstream asset.
 * - identity: partition k depends on upstream partition k;
 * - all: every downstream partition depends on every upstream partition (the default when
 *   either side is unpartitioned);
 * - time-window: between time partitions (hourly, daily, weekly, monthly). Of the same grain,
 *   partition d depends on upstream partitions `d + startOffset … d + endOffset`; of different
 *   grains, on the upstream periods that overlap d's time window, widened by the offsets (in
 *   upstream periods): a month reads its 28 to 31 days, an hour the day it falls in, a day its
 *   23 to 25 hours. Between two-dimensional partitions (time × static) and one-dimensional
 *   time partitions, the time dimension is mapped so: a (day, région) partition reads its day,
 *   a day reads every (day, région); between two-dimensional ones of one grain and the same
 *   static keys, each static key keeps to itself.
 */
export type PartitionMapping =
  | { readonly kind: "identity" }
  | { readonly kind: "all" }
  | { readonly kind: "time-window"; readonly startOffset: number; readonly endOffset: number };

export const identityMapping = (): PartitionMapping => ({ kind: "identity" });
export const allPartitionsMapping = (): PartitionMapping => ({ kind: "all" });
/** @example timeWindowMapping({ offset: -1 }) // day d reads day d-1 */
export function timeWindowMapping(
  options: { offset: number } | { startOffset: number; endOffset: number },
): PartitionMapping {
  const [startOffset, endOffset] =
    "offset" in options
      ? [options.offset, options.offset]
      : [options.startOffset, options.endOffset];
  // Their order is checked with the definitions (mappingProblem), as for a mapping written out.
  const problem =
    offsetProblem("startOffset", startOffset) ?? offsetProblem("endOffset", endOffset);
  if (problem) throw new InvalidPartitionError(problem);
  return { kind: "time-window", startOffset, endOffset };
}

/** The largest time-window offset, in periods, either way. */
const MAX_WINDOW_OFFSET = 100_000;

function windowOffsetsProblem(startOffset: number, endOffset: number): string | undefined {
  return (
    offsetProblem("startOffset", startOffset) ??
    offsetProblem("endOffset", endOffset) ??
    (startOffset > endOffset ? "time-window mapping: startOffset > endOffset" : undefined)
  );
}

function offsetProblem(name: string, value: number): string | undefined {
  return Number.isInteger(value) && Math.abs(value) <= MAX_WINDOW_OFFSET
    ? undefined
    : `time-window mapping: ${name} must be an integer from -${MAX_WINDOW_OFFSET} to ${MAX_WINDOW_OFFSET} (periods), not ${String(value)}`;
}

/** The single partition index standing for an unpartitioned asset. */
export const UNPARTITIONED = IntervalSet.single(0);

/** All partitions of a (possibly unpartitioned) asset. */
export function wholeAsset(def: PartitionsDefinition | undefined, now: Date): IntervalSet {
  return def ? allPartitions(def, now) : UNPARTITIONED;
}

/** The mapping used when a dependency does not name one. */
export function defaultMapping(
  upstream: PartitionsDefinition | undefined,
  downstream: PartitionsDefinition | undefined,
): PartitionMapping {
  if (upstream?.kind === "dynamic" && downstream?.kind === "dynamic") {
    return upstream.name === downstream.name ? identityMapping() : allPartitionsMapping();
  }
  // One grain in two timezones (or weeks from two weekdays) names other periods: a time window
  // compares them as instants.
  if (
    upstream &&
    downstream &&
    upstream.kind === downstream.kind &&
    (!isTimePartitions(upstream) ||
      partitionsFingerprint(upstream) === partitionsFingerprint(downstream))
  ) {
    return identityMapping();
  }
  if (timeDimension(upstream) && timeDimension(downstream)) {
    return timeWindowMapping({ offset: 0 });
  }
  return allPartitionsMapping();
}

/** Why a mapping cannot join these two partitions definitions, or undefined when it can. */
export function mappingProblem(
  mapping: PartitionMapping,
  upstream: PartitionsDefinition | undefined,
  downstream: PartitionsDefinition | undefined,
): string | undefined {
  switch (mapping.kind) {
    case "all":
      return undefined;
    case "identity":
      if (!upstream && !downstream) return undefined;
      if (!upstream || !downstream) return "identity mapping needs both assets partitioned";
      if (upstream.kind !== downstream.kind) {
        return `identity mapping between ${upstream.kind} and ${downstream.kind} partitions`;
      }
      if (isTimePartitions(upstream) && isTimePartitions(downstream)) {
        return sameAxisProblem("identity", upstream, downstream);
      }
      if (upstream.kind === "static" && downstream.kind === "static") {
        const same =
          upstream.keys.length === downstream.keys.length &&
          upstream.keys.every((k, i) => downstream.keys[i] === k);
        return same ? undefined : "identity mapping between static partitions with different keys";
      }
      if (upstream.kind === "dynamic" && downstream.kind === "dynamic") {
        return upstream.name === downstream.name
          ? undefined
          : `identity mapping between dynamic partitions ${upstream.name} and ${downstream.name}`;
      }
      if (partitionsFingerprint(upstream) !== partitionsFingerprint(downstream)) {
        return "identity mapping between two-dimensional partitions with different dimensions";
      }
      return undefined;
    case "time-window": {
      const up = timeDimension(upstream);
      const down = timeDimension(downstream);
      if (!up || !down) {
        return "time-window mapping needs time partitions (hourly, daily, weekly or monthly) on both sides";
      }
      const offsets = windowOffsetsProblem(mapping.startOffset, mapping.endOffset);
      if (offsets) return offsets;
      if (upstream?.kind === "multi" && downstream?.kind === "multi") {
        if (
          up.kind !== down.kind ||
          partitionsFingerprint(upstream.static.partitions) !==
            partitionsFingerprint(downstream.static.partitions)
        ) {
          return "time-window mapping between two-dimensional partitions needs one time grain and the same static keys";
        }
      }
      // Across grains, timezones or first weekdays, windows are compared as instants.
      return undefined;
    }
  }
}

/** Identity compares indices: it needs the same timezone (and first weekday). */
function sameAxisProblem(
  what: string,
  upstream: TimePartitionsDefinition,
  downstream: TimePartitionsDefinition,
): string | undefined {
  if (partitionsFingerprint(upstream) === partitionsFingerprint(downstream)) return undefined;
  if (upstream.timezone !== downstream.timezone) {
    return `${what} mapping between ${upstream.kind} partitions in ${upstream.timezone} and ${downstream.timezone}`;
  }
  return `${what} mapping between weeks starting on different days`;
}

/**
 * The `from` periods' time windows as periods of `to` that overlap them, each range widened by
 * `[before, after]` periods of `to`.
 */
function acrossGrains(
  subset: IntervalSet,
  from: TimePartitionsDefinition,
  to: TimePartitionsDefinition,
  before: number,
  after: number,
): IntervalSet {
  const fromAxis = timeAxis(from);
  const toAxis = timeAxis(to);
  const ranges: Range[] = subset.ranges.map(([s, e]) => {
    const [first, end] = periodsOverlapping(
      toAxis,
      periodStart(fromAxis, s),
      periodStart(fromAxis, e),
    );
    return [first + before, end + after];
  });
  return IntervalSet.fromRanges(ranges);
}

/**
 * Periods of `to` read by the periods `subset` of `from` (startOffset … endOffset in `to`'s
 * periods), or, with `inverse`, the periods of `to` reading the periods `subset` of `from`.
 */
function mapPeriods(
  subset: IntervalSet,
  from: TimePartitionsDefinition,
  to: TimePartitionsDefinition,
  startOffset: number,
  endOffset: number,
  inverse: boolean,
): IntervalSet {
  if (inverse) {
    // d reads u when d's overlapping periods, widened, reach u: when d overlaps the periods
    // u - endOffset … u - startOffset.
    const shifted = subset.widen(-endOffset, -startOffset);
    return sameAxis(from, to) ? shifted : acrossGrains(shifted, from, to, 0, 0);
  }
  return sameAxis(from, to)
    ? subset.widen(startOffset, endOffset)
    : acrossGrains(subset, from, to, startOffset, endOffset);
}

/** Whether two time partitions number the same periods alike (then indices compare directly). */
function sameAxis(a: TimePartitionsDefinition, b: TimePartitionsDefinition): boolean {
  return partitionsFingerprint(a) === partitionsFingerprint(b);
}

/** A time-window mapping from partitions of `fromDef` to those of `toDef` (see mapPeriods). */
function timeWindow(
  mapping: { readonly startOffset: number; readonly endOffset: number },
  subset: IntervalSet,
  fromDef: PartitionsDefinition | undefined,
  toDef: PartitionsDefinition | undefined,
  inverse: boolean,
): IntervalSet {
  const from = timeDimension(fromDef);
  const to = timeDimension(toDef);
  // Definitions reject a time window without time on both sides; a stray call maps indices.
  if (!from || !to || !fromDef || !toDef) {
    return inverse
      ? subset.widen(-mapping.endOffset, -mapping.startOffset)
      : subset.widen(mapping.startOffset, mapping.endOffset);
  }
  const map = (periods: IntervalSet): IntervalSet =>
    mapPeriods(periods, from, to, mapping.startOffset, mapping.endOffset, inverse);
  if (fromDef.kind === "multi" && toDef.kind === "multi") {
    // Each static key keeps to itself.
    return joinSlices(toDef, slicesByKey(fromDef, subset).map(map));
  }
  const periods = map(fromDef.kind === "multi" ? projectOnTime(fromDef, subset) : subset);
  return toDef.kind === "multi" ? expandTime(toDef, periods) : periods;
}

/**
 * Upstream partitions that the given downstream partitions read. `downstreamDef` is needed
 * for a time-window mapping between grains (a monthly asset reading a daily one).
 */
export function upstreamPartitionsFor(
  mapping: PartitionMapping,
  downstream: IntervalSet,
  upstreamDef: PartitionsDefinition | undefined,
  now: Date,
  downstreamDef: PartitionsDefinition | undefined,
): IntervalSet {
  if (downstream.isEmpty) return IntervalSet.EMPTY;
  switch (mapping.kind) {
    case "all":
      return wholeAsset(upstreamDef, now);
    case "identity":
      return downstream;
    case "time-window":
      return timeWindow(mapping, downstream, downstreamDef, upstreamDef, false);
  }
}

/**
 * Upstream partitions that the given downstream partitions read and that can exist: those
 * before the upstream's first one (the day before its start, read through a time window) never
 * do, so they are never missing.
 */
export function existingUpstreamPartitionsFor(
  mapping: PartitionMapping,
  downstream: IntervalSet,
  upstreamDef: PartitionsDefinition | undefined,
  now: Date,
  downstreamDef: PartitionsDefinition | undefined,
): IntervalSet {
  const upFirst = upstreamDef ? partitionBounds(upstreamDef, now).first : 0;
  return upstreamPartitionsFor(mapping, downstream, upstreamDef, now, downstreamDef).intersect(
    IntervalSet.fromRange(upFirst, Number.MAX_SAFE_INTEGER),
  );
}

/**
 * Downstream partitions that read any of the given upstream partitions. `upstreamDef` is needed
 * for a time-window mapping between grains.
 */
export function downstreamPartitionsFor(
  mapping: PartitionMapping,
  upstream: IntervalSet,
  downstreamDef: PartitionsDefinition | undefined,
  now: Date,
  upstreamDef: PartitionsDefinition | undefined,
): IntervalSet {
  if (upstream.isEmpty) return IntervalSet.EMPTY;
  switch (mapping.kind) {
    case "all":
      return wholeAsset(downstreamDef, now);
    case "identity":
      return upstream;
    case "time-window":
      return timeWindow(mapping, upstream, upstreamDef, downstreamDef, true);
  }
}
