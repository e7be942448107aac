import type { Definitions } from "../definitions/definitions";
import { clip, InvalidPartitionError, LigneeError } from "../errors";
import { allPartitions, partitionIndex } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import { UNPARTITIONED } from "../partitions/mapping";
import type { PartitionRequest } from "../partitions/request";
import { staleSelection, type StaleSelection, type StatusSubsets } from "./stale-targets";

export type { PartitionRequest };

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
    return resolveStaleRequest(definitions, assetKeys, request, now, statuses).targets;
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
        // Dynamic partitions: the keys removed between the two are not part of the range.
        out.set(key, IntervalSet.fromRange(from, to + 1).intersect(allPartitions(def, now)));
        break;
      }
    }
  }
  return out;
}

/**
 * A `stale` request: the partitions to materialise per asset (assets outside the selection too
 * when it includes missing upstream) and those left out, waiting on upstream.
 */
export function resolveStaleRequest(
  definitions: Definitions<unknown>,
  assetKeys: readonly string[],
  request: Extract<PartitionRequest, { kind: "stale" }>,
  now: Date,
  statuses: ReadonlyMap<string, StatusSubsets> | undefined,
): StaleSelection {
  if (!statuses) {
    throw new LigneeError("RUNTIME", "a stale request needs the assets' current statuses");
  }
  const within =
    request.from !== undefined && request.to !== undefined
      ? resolvePartitionRequest(
          definitions,
          assetKeys,
          { kind: "range", from: request.from, to: request.to },
          now,
        )
      : undefined;
  return staleSelection(definitions, assetKeys, statuses, now, {
    includeMissingUpstream: request.includeMissingUpstream === true,
    ...(within ? { within } : {}),
  });
}

function staleRequest(
  includeMissingUpstream: boolean | undefined,
): Extract<PartitionRequest, { kind: "stale" }> {
  return includeMissingUpstream === true
    ? { kind: "stale", includeMissingUpstream: true }
    : { kind: "stale" };
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
      return [
        request.from !== undefined ? `stale in ${request.from}…${request.to}` : "stale",
        request.includeMissingUpstream === true ? ", with missing upstream" : "",
      ].join("");
  }
}

/**
 * How the user-facing partition fields are spelled where they were given (API body fields, CLI
 * flags), so that a message about mixing them names what the user typed.
 */
export interface PartitionFieldNames {
  readonly partition: string;
  readonly from: string;
  readonly to: string;
  readonly stale: string;
  readonly includeMissingUpstream: string;
}

/** The fields of `POST /api/runs` (and of every other body that asks for partitions). */
export const BODY_FIELD_NAMES: PartitionFieldNames = {
  partition: "partition",
  from: "from",
  to: "to",
  stale: "stale",
  includeMissingUpstream: "includeMissingUpstream",
};

/** The user-facing partition fields: a key, a range, `stale`, or `stale` within a range. */
export interface PartitionFields {
  readonly partition?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly stale?: boolean | undefined;
  /** With `stale`: materialise the missing upstream partitions that stale ones wait on, too. */
  readonly includeMissingUpstream?: boolean | undefined;
}

/**
 * Turns the user-facing fields into a request; mixing them, or half a range, is bad input
 * (InvalidPartitionError, its message spelled with `names`).
 *
 * @example
 * partitionRequestFromFields({ from: "2024-08-01", to: "2024-08-03" })
 * // { kind: "range", from: "2024-08-01", to: "2024-08-03" }
 */
export function partitionRequestFromFields(
  fields: PartitionFields,
  names: PartitionFieldNames = BODY_FIELD_NAMES,
): PartitionRequest {
  const { partition, from, to } = fields;
  if (fields.stale === true) {
    if (partition !== undefined) {
      throw new InvalidPartitionError(
        `give either ${names.stale} or ${names.partition}, not both (${names.stale} takes ${names.from}/${names.to})`,
      );
    }
    if (from === undefined && to === undefined) return staleRequest(fields.includeMissingUpstream);
    if (from === undefined || to === undefined) {
      throw new InvalidPartitionError(`${names.from} and ${names.to} go together`);
    }
    return { ...staleRequest(fields.includeMissingUpstream), from, to };
  }
  if (fields.includeMissingUpstream === true) {
    throw new InvalidPartitionError(`${names.includeMissingUpstream} goes with ${names.stale}`);
  }
  if (partition !== undefined && (from !== undefined || to !== undefined)) {
    throw new InvalidPartitionError(
      `give either ${names.partition} or ${names.from}/${names.to}, not both`,
    );
  }
  if (partition !== undefined) return { kind: "single", key: partition };
  if (from !== undefined || to !== undefined) {
    if (from === undefined || to === undefined) {
      throw new InvalidPartitionError(`${names.from} and ${names.to} go together`);
    }
    return { kind: "range", from, to };
  }
  return { kind: "none" };
}

/**
 * The serialised form of a request, stored with a run (`partition_spec`) and shown by the API: a
 * fresh plain object with the kind first, then its fields, and nothing else. Two equal requests
 * serialise to the same JSON text, which run ids and the merging of queued runs rely on.
 */
export function serializePartitionRequest(request: PartitionRequest): Record<string, string> {
  switch (request.kind) {
    case "none":
      return { kind: request.kind };
    case "stale":
      return {
        kind: "stale",
        ...(request.from !== undefined && request.to !== undefined
          ? { from: request.from, to: request.to }
          : {}),
        ...(request.includeMissingUpstream === true ? { includeMissingUpstream: "true" } : {}),
      };
    case "single":
      return { kind: "single", key: request.key };
    case "range":
      return { kind: "range", from: request.from, to: request.to };
  }
}

/**
 * Reads the serialised form back (a run without one asked for no partitions); undefined when it
 * is malformed. Fields other than the kind's are ignored.
 */
export function readPartitionRequest(value: unknown): PartitionRequest | undefined {
  if (value === null || value === undefined) return { kind: "none" };
  if (typeof value !== "object") return undefined;
  const v = value as Partial<Record<string, unknown>>;
  switch (v.kind) {
    case "none":
      return { kind: v.kind };
    case "stale":
      if ((v.from === undefined) !== (v.to === undefined)) return undefined;
      if (v.from !== undefined && (typeof v.from !== "string" || typeof v.to !== "string")) {
        return undefined;
      }
      return {
        ...staleRequest(v.includeMissingUpstream === "true" || v.includeMissingUpstream === true),
        ...(typeof v.from === "string" && typeof v.to === "string"
          ? { from: v.from, to: v.to }
          : {}),
      };
    case "single":
      return typeof v.key === "string" ? { kind: "single", key: v.key } : undefined;
    case "range":
      return typeof v.from === "string" && typeof v.to === "string"
        ? { kind: "range", from: v.from, to: v.to }
        : undefined;
    default:
      return undefined;
  }
}

/** Reads a partition request stored with a run (JSON); throws InvalidPartitionError if malformed. */
export function storedPartitionRequest(value: unknown): PartitionRequest {
  const request = readPartitionRequest(value);
  if (request !== undefined) return request;
  throw new InvalidPartitionError(
    `stored partition request is malformed: ${JSON.stringify(value)}`,
  );
}

/**
 * A partition key or a serialised request, as a schedule's partition function or a sensor's run
 * request gives it; `owner` names the giver in the InvalidPartitionError a malformed value throws.
 */
export function partitionRequestOf(value: unknown, owner: string): PartitionRequest {
  if (typeof value === "string") return { kind: "single", key: value };
  const request = value === null ? undefined : readPartitionRequest(value);
  if (request !== undefined) return request;
  throw new InvalidPartitionError(
    `${owner}: expected a partition key or request, got ${JSON.stringify(value)}`,
  );
}
