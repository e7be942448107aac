import type { Definitions } from "../definitions/definitions";
import type { RunConfig } from "../definitions/run-config";
import { InvalidPartitionError } from "../errors";
import { prepareRun } from "../execution/launch";
import {
  allPartitions,
  describePartitions,
  partitionIndex,
  partitionKey,
  partitionsFingerprint,
  type PartitionsDefinition,
} from "../partitions/definition";
import { resolveSelection } from "../graph/selection";
import { dynamicPartitionIndexEverGiven } from "../partitions/dynamic";
import { poolsOf } from "../queue/pools";
import { IntervalSet } from "../partitions/interval-set";
import { chunkSubset } from "./subset-chunks";
import { checkChunkSize, chunkPartitions, DEFAULT_CHUNK_SIZE, type BackfillChunk } from "./chunks";

export interface BackfillRequest {
  readonly selection: string;
  /** First partition key of the range. */
  readonly from: string;
  /** Last partition key of the range (included). */
  readonly to: string;
  /** Partitions per run (default DEFAULT_CHUNK_SIZE). */
  readonly chunkSize?: number;
  /** The config of every run, per asset key (see `RunConfig`); validated here. */
  readonly config?: RunConfig;
  /** `config` is a backfill's stored config: see `MaterializeRequest.configStored`. */
  readonly configStored?: boolean;
}

/** A validated backfill: what its runs materialise and how the range is cut into runs. */
export interface PreparedBackfill {
  readonly selection: string;
  readonly fromKey: string;
  readonly toKey: string;
  readonly chunkSize: number;
  /** The assets every run materialises. */
  readonly assetKeys: readonly string[];
  /** Concurrency pools every run takes a slot of. */
  readonly pools: readonly string[];
  readonly chunks: readonly BackfillChunk[];
  readonly partitionCount: number;
  /** The validated config of every run (defaults applied), per asset key. */
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * Validates a backfill as `lignee materialize --from --to` validates a run (unknown assets, bad
 * selections, malformed or out-of-range keys, a reversed range throw here, before anything is
 * written), then cuts the range into chunks of `chunkSize` partitions. The selected partitioned
 * assets must share their partition keys (daily assets, or static ones with the same keys): one
 * range is cut for all of them. Unpartitioned assets in the selection are materialised by every
 * run, as a run over a range does.
 *
 * @example
 * prepareBackfill(definitions, { selection: "raw/offres+", from: "2024-06-01", to: "2024-06-30" }, now)
 *   .chunks.length // 3 (10 partitions per run)
 */
export function prepareBackfill(
  definitions: Definitions<unknown>,
  request: BackfillRequest,
  now: Date,
): PreparedBackfill {
  return prepareFrom(definitions, request, now);
}

/**
 * A backfill recorded earlier, cut again to finish creating its runs: as `prepareBackfill`,
 * except that the dynamic keys removed since are left out, its first and last keys included
 * (the range runs between the indices they were given, and chunks keep the indices of the first
 * cut). No chunk when no key of the range is left. `byIndex`: the chunks are fixed ranges of
 * indices (dynamic partitions), so that those missing may be queued by index alone.
 */
export function prepareResumedBackfill(
  definitions: Definitions<unknown>,
  request: BackfillRequest,
  now: Date,
): PreparedBackfill & { readonly byIndex: boolean } {
  const def = resolveSelection(definitions.graph, request.selection)
    .map((key) => definitions.get(key).partitions)
    .find((d) => d !== undefined);
  if (def?.kind !== "dynamic")
    return { ...prepareBackfill(definitions, request, now), byIndex: false };
  const first = dynamicPartitionIndexEverGiven(def, request.from);
  const last = dynamicPartitionIndexEverGiven(def, request.to);
  // A key never added: the same error as when the backfill was asked for.
  if (first === undefined || last === undefined)
    return { ...prepareBackfill(definitions, request, now), byIndex: true };
  const existing = IntervalSet.fromRange(first, last + 1).intersect(allPartitions(def, now));
  const chunkSize = request.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const from = existing.first;
  const to = existing.last;
  if (from === undefined || to === undefined) {
    checkChunkSize(chunkSize);
    return {
      selection: request.selection,
      fromKey: request.from,
      toKey: request.to,
      chunkSize,
      assetKeys: [],
      pools: [],
      chunks: [],
      partitionCount: 0,
      config: {},
      byIndex: true,
    };
  }
  const prepared = prepareFrom(
    definitions,
    {
      ...request,
      from: partitionKey(def, from),
      to: partitionKey(def, to),
    },
    now,
    first,
  );
  return { ...prepared, fromKey: request.from, toKey: request.to, byIndex: true };
}

/** `prepareBackfill`, dynamic chunks counted from `origin` (default: the index of `from`). */
function prepareFrom(
  definitions: Definitions<unknown>,
  request: BackfillRequest,
  now: Date,
  origin?: number,
): PreparedBackfill {
  const chunkSize = request.chunkSize ?? DEFAULT_CHUNK_SIZE;
  checkChunkSize(chunkSize);
  const prepared = prepareRun(
    definitions,
    {
      selection: request.selection,
      partitions: { kind: "range", from: request.from, to: request.to },
      ...(request.config ? { config: request.config } : {}),
      ...(request.configStored === true ? { configStored: true } : {}),
    },
    now,
  );
  const def = sharedPartitions(definitions, prepared.assetKeys);
  const first = partitionIndex(def, request.from, now);
  const last = partitionIndex(def, request.to, now);
  // Dynamic partitions: the keys removed between `from` and `to` are not backfilled.
  const existing =
    def.kind === "dynamic"
      ? IntervalSet.fromRange(first, last + 1).intersect(allPartitions(def, now))
      : undefined;
  const chunks = existing
    ? chunkSubset(def, existing, chunkSize, origin ?? first)
    : chunkPartitions(def, first, last, chunkSize);
  return {
    selection: request.selection,
    fromKey: request.from,
    toKey: request.to,
    chunkSize,
    assetKeys: prepared.assetKeys,
    pools: poolsOf(definitions, prepared.assetKeys),
    chunks,
    partitionCount: existing ? existing.size : last - first + 1,
    config: prepared.config,
  };
}

/**
 * The partitions a backfill's range is cut along: those of the selected partitioned assets,
 * which must name the same keys (any daily partitions do: their keys are dates; hourly, weekly
 * and monthly ones do in the same timezone).
 */
function sharedPartitions(
  definitions: Definitions<unknown>,
  assetKeys: readonly string[],
): PartitionsDefinition {
  const partitioned = assetKeys
    .map((key) => ({ key, def: definitions.get(key).partitions }))
    .filter((a): a is { key: string; def: PartitionsDefinition } => a.def !== undefined);
  const first = partitioned[0];
  if (!first) {
    throw new InvalidPartitionError(
      `a backfill needs a partitioned asset: none of ${assetKeys.join(", ")} is partitioned`,
    );
  }
  for (const other of partitioned.slice(1)) {
    if (!sameKeys(first.def, other.def)) {
      throw new InvalidPartitionError(
        `a backfill cuts one partition range into runs, but ${first.key} (${describePartitions(
          first.def,
        )}) and ${other.key} (${describePartitions(other.def)}) do not share their partition keys`,
      );
    }
  }
  return first.def;
}

function sameKeys(a: PartitionsDefinition, b: PartitionsDefinition): boolean {
  switch (a.kind) {
    case "daily":
      // Dates name the same days in any timezone.
      return b.kind === "daily";
    case "hourly":
    case "weekly":
    case "monthly":
    case "multi":
      // Local hours, and weeks' first days, depend on the timezone and first weekday.
      return partitionsFingerprint(a) === partitionsFingerprint(b);
    case "dynamic":
      return b.kind === "dynamic" && a.name === b.name;
    case "static":
      return (
        b.kind === "static" &&
        a.keys.length === b.keys.length &&
        a.keys.every((key, i) => key === b.keys[i])
      );
  }
}

/** How many partitions of each asset a backfill materialises in all (for `requireConfirmation`). */
export function backfillPartitionCounts(
  definitions: Definitions<unknown>,
  prepared: Pick<PreparedBackfill, "assetKeys" | "partitionCount">,
): Map<string, number> {
  return new Map(
    prepared.assetKeys
      .filter((key) => definitions.get(key).partitions !== undefined)
      .map((key) => [key, prepared.partitionCount]),
  );
}
