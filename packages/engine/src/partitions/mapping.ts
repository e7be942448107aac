import {
  allPartitions,
  isTimePartitions,
  partitionBounds,
  partitionsFingerprint,
  timeAxis,
  type PartitionsDefinition,
  type TimePartitionsDefinition,
} from "./definition";
import { IntervalSet, type Range } from "./interval-set";
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
 *   23 to 25 hours.
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
  return { kind: "time-window", startOffset, endOffset };
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
  if (upstream && downstream && upstream.kind === downstream.kind) return identityMapping();
  if (isTimePartitions(upstream) && isTimePartitions(downstream)) {
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
      return undefined;
    case "time-window":
      if (!isTimePartitions(upstream) || !isTimePartitions(downstream)) {
        return "time-window mapping needs time partitions (hourly, daily, weekly or monthly) on both sides";
      }
      if (mapping.startOffset > mapping.endOffset)
        return "time-window mapping: startOffset > endOffset";
      // Across grains, windows are compared as instants: timezones may differ.
      if (upstream.kind !== downstream.kind) return undefined;
      return sameAxisProblem("time-window", upstream, downstream);
  }
}

/** Same-grain mappings compare indices: they need the same timezone (and first weekday). */
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

function crossGrain(
  a: PartitionsDefinition | undefined,
  b: PartitionsDefinition | undefined,
): [TimePartitionsDefinition, TimePartitionsDefinition] | undefined {
  return isTimePartitions(a) && isTimePartitions(b) && a.kind !== b.kind ? [a, b] : undefined;
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
    case "time-window": {
      const grains = crossGrain(downstreamDef, upstreamDef);
      if (grains) {
        return acrossGrains(
          downstream,
          grains[0],
          grains[1],
          mapping.startOffset,
          mapping.endOffset,
        );
      }
      return downstream.widen(mapping.startOffset, mapping.endOffset);
    }
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
    case "time-window": {
      const grains = crossGrain(upstreamDef, downstreamDef);
      if (grains) {
        // Downstream d reads upstream u when d's overlapping periods, widened, reach u: when d
        // overlaps the periods u - endOffset … u - startOffset.
        const shifted = upstream.widen(-mapping.endOffset, -mapping.startOffset);
        return acrossGrains(shifted, grains[0], grains[1], 0, 0);
      }
      return upstream.widen(-mapping.endOffset, -mapping.startOffset);
    }
  }
}
