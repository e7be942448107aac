import type { Definitions } from "../definitions/definitions";
import { clip, InvalidPartitionError, LigneeError } from "../errors";
import { partitionIndex } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import { UNPARTITIONED } from "../partitions/mapping";
import { staleTargets, type StatusSubsets } from "./stale-targets";

/**
 * Which partitions a run asks for. `stale` asks, per asset, for the partitions that are MISSING,
 * STALE or FAILED when the run is prepared (so re-executing it asks again).
 */
export type PartitionRequest =
  | { readonly kind: "none" }
  | { readonly kind: "single"; readonly key: string }
  | { readonly kind: "range"; readonly from: string; readonly to: string }
  | { readonly kind: "stale" };

/**
 * Validates a partition request against every selected asset and returns, per asset, the
 * partition indices to materialise (UNPARTITIONED for an unpartitioned asset). Throws
 * InvalidPartitionError, before anything is created, on a malformed or out-of-range key, a
 * reversed range, a partitioned asset without partitions, or partitions for unpartitioned assets.
 *
 * A `stale` request reads `statuses` (the caller computes them with `computeStatus`, which keeps
 * this function pure): only the assets with something to do are returned, and
 * NothingToMaterializeError is thrown when there are none.
 */
export function resolvePartitionRequest(
  definitions: Definitions<unknown>,
  assetKeys: readonly string[],
  request: PartitionRequest,
  now: Date,
  statuses?: ReadonlyMap<string, StatusSubsets>,
): Map<string, IntervalSet> {
  if (request.kind === "stale") {
    if (!statuses) {
      throw new LigneeError("RUNTIME", "a stale request needs the assets' current statuses");
    }
    return staleTargets(assetKeys, statuses);
  }
  const out = new Map<string, IntervalSet>();
  const partitioned = assetKeys.filter((k) => definitions.get(k).partitions !== undefined);
  if (request.kind !== "none" && partitioned.length === 0) {
    throw new InvalidPartitionError(
      `a partition was given but no selected asset is partitioned (${assetKeys.join(", ")})`,
    );
  }
  for (const key of assetKeys) {
    const def = definitions.get(key).partitions;
    if (!def) {
      out.set(key, UNPARTITIONED);
      continue;
    }
    const where = (e: unknown): never => {
      throw new InvalidPartitionError(`asset ${key}: ${(e as Error).message}`);
    };
    switch (request.kind) {
      case "none":
        throw new InvalidPartitionError(
          `asset ${key} is partitioned: give --partition KEY or --from KEY --to KEY`,
        );
      case "single": {
        let i = 0;
        try {
          i = partitionIndex(def, request.key, now);
        } catch (e) {
          where(e);
        }
        out.set(key, IntervalSet.single(i));
        break;
      }
      case "range": {
        let from = 0;
        let to = 0;
        try {
          from = partitionIndex(def, request.from, now);
          to = partitionIndex(def, request.to, now);
        } catch (e) {
          where(e);
        }
        if (from > to) {
          throw new InvalidPartitionError(
            `partition range ${clip(request.from)} … ${clip(request.to)} is reversed`,
          );
        }
        out.set(key, IntervalSet.fromRange(from, to + 1));
        break;
      }
    }
  }
  return out;
}

export function describePartitionRequest(request: PartitionRequest): string | undefined {
  switch (request.kind) {
    case "none":
      return undefined;
    case "single":
      return request.key;
    case "range":
      return `${request.from}…${request.to}`;
    case "stale":
      return "stale";
  }
}

/** Reads a partition request stored with a run (JSON); throws InvalidPartitionError if malformed. */
export function storedPartitionRequest(value: unknown): PartitionRequest {
  const v = (value ?? { kind: "none" }) as Record<string, unknown>;
  switch (v.kind) {
    case "none":
    case "stale":
      return { kind: v.kind };
    case "single":
      if (typeof v.key === "string") return { kind: "single", key: v.key };
      break;
    case "range":
      if (typeof v.from === "string" && typeof v.to === "string")
        return { kind: "range", from: v.from, to: v.to };
      break;
  }
  throw new InvalidPartitionError(
    `stored partition request is malformed: ${JSON.stringify(value)}`,
  );
}
