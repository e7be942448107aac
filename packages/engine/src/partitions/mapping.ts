import { allPartitions, partitionBounds, type PartitionsDefinition } from "./definition";
import { IntervalSet } from "./interval-set";

/**
 * How the partitions of a downstream asset depend on those of an upstream asset.
 * - identity: partition k depends on upstream partition k;
 * - all: every downstream partition depends on every upstream partition (the default when
 *   either side is unpartitioned);
 * - time-window: daily partition d depends on upstream days `d + startOffset … d + endOffset`.
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
  if (upstream?.kind === "dynamic" && downstream?.kind === "dynamic") {
    return upstream.name === downstream.name ? identityMapping() : allPartitionsMapping();
  }
  if (upstream && downstream && upstream.kind === downstream.kind) return identityMapping();
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
      if (upstream.kind === "daily" && downstream.kind === "daily") {
        return upstream.timezone === downstream.timezone
          ? undefined
          : `identity mapping between daily partitions in ${upstream.timezone} and ${downstream.timezone}`;
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
      return undefined;
    case "time-window":
      if (upstream?.kind !== "daily" || downstream?.kind !== "daily") {
        return "time-window mapping needs daily partitions on both sides";
      }
      if (upstream.timezone !== downstream.timezone) {
        return `time-window mapping between daily partitions in ${upstream.timezone} and ${downstream.timezone}`;
      }
      if (mapping.startOffset > mapping.endOffset)
        return "time-window mapping: startOffset > endOffset";
      return undefined;
  }
}

/** Upstream partitions that the given downstream partitions read. */
export function upstreamPartitionsFor(
  mapping: PartitionMapping,
  downstream: IntervalSet,
  upstreamDef: PartitionsDefinition | undefined,
  now: Date,
): IntervalSet {
  if (downstream.isEmpty) return IntervalSet.EMPTY;
  switch (mapping.kind) {
    case "all":
      return wholeAsset(upstreamDef, now);
    case "identity":
      return downstream;
    case "time-window":
      return downstream.widen(mapping.startOffset, mapping.endOffset);
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
): IntervalSet {
  const upFirst = upstreamDef ? partitionBounds(upstreamDef, now).first : 0;
  return upstreamPartitionsFor(mapping, downstream, upstreamDef, now).intersect(
    IntervalSet.fromRange(upFirst, Number.MAX_SAFE_INTEGER),
  );
}

/** Downstream partitions that read any of the given upstream partitions. */
export function downstreamPartitionsFor(
  mapping: PartitionMapping,
  upstream: IntervalSet,
  downstreamDef: PartitionsDefinition | undefined,
  now: Date,
): IntervalSet {
  if (upstream.isEmpty) return IntervalSet.EMPTY;
  switch (mapping.kind) {
    case "all":
      return wholeAsset(downstreamDef, now);
    case "identity":
      return upstream;
    case "time-window":
      return upstream.widen(-mapping.endOffset, -mapping.startOffset);
  }
}
