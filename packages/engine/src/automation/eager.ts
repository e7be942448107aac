import type { Definitions } from "../definitions/definitions";
import {
  allPartitions,
  isTimePartitions,
  partitionKey,
  partitionsFingerprint,
} from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import { downstreamPartitionsFor, UNPARTITIONED } from "../partitions/mapping";
import type { PartitionRequest } from "../planning/partition-request";
import { describeCause, isHold, type AssetStatus } from "../status/asset-status";

export interface EagerInput {
  readonly definitions: Definitions<unknown>;
  /** Every asset's status now (`computeStatus`). */
  readonly statuses: ReadonlyMap<string, AssetStatus>;
  /** Assets in a QUEUED or STARTED run, or with partitions being materialised. */
  readonly activeAssets: ReadonlySet<string>;
  /** Eager assets switched off (automation state). */
  readonly disabled: ReadonlySet<string>;
  readonly now: Date;
}

export type EagerDecision =
  | {
      readonly kind: "run";
      /** The assets to materialise, in topological order, as a selection (`a,b`). */
      readonly selection: string;
      readonly assetKeys: readonly string[];
      readonly partitions: PartitionRequest;
      /** Per asset, the partitions that made it a target. */
      readonly targets: ReadonlyMap<string, IntervalSet>;
    }
  | { readonly kind: "skip"; readonly reason: string };

/**
 * Pure: what eager automation asks for now. An eager asset's partition is a target when
 * - it is STALE because an upstream partition it reads has newer data, or
 * - it reads a partition targeted upstream in the same run (it would be stale right after), or
 * - it is MISSING while every upstream partition it reads is materialised (or targeted in the
 *   same run), for an asset that has dependencies;
 * and neither the asset nor anything upstream of it is queued or being materialised (the
 * debounce: a chain is requested once its upstream has settled). Stale causes that a rebuild
 * would not clear (code version, dependencies, missing upstream) and FAILED partitions are left
 * to people: eager automation never loops on them.
 *
 * The targets of every eager asset go into one run. Its partition request is `stale` when, for
 * each asset, the targets are exactly what is stale now; otherwise the range from the first to
 * the last target (one key when they are the same).
 *
 * @example
 * eagerDecision({ definitions, statuses, activeAssets: new Set(), disabled: new Set(), now })
 * // { kind: "run", selection: "emploi/fait_offre_emploi", partitions: { kind: "single", key: "2024-08-01" }, … }
 */
export function eagerDecision(input: EagerInput): EagerDecision {
  const { definitions, statuses, now } = input;
  if (definitions.eagerAssets.length === 0) {
    return { kind: "skip", reason: "no asset has eager automation" };
  }
  const eager = definitions.eagerAssets.filter((a) => !input.disabled.has(a.key));
  if (eager.length === 0) {
    return { kind: "skip", reason: "eager automation is switched off on every asset" };
  }

  const planned = new Map<string, IntervalSet>();
  const waiting = new Set<string>();
  const holds = new Set<string>();
  for (const asset of eager) {
    const status = statuses.get(asset.key);
    if (!status) continue;
    const deps = definitions.deps(asset.key);
    if (deps.length === 0) continue;

    let targets = IntervalSet.EMPTY;
    for (const cause of status.causes) {
      if (cause.kind === "upstream-newer") targets = targets.union(cause.partitions);
    }
    targets = targets.intersect(status.subsets.STALE);
    // Partitions reading what this run rebuilds upstream would be stale right after it: they go
    // in the same run, so that a chain is one run.
    const built = status.subsets.FRESH.union(status.subsets.STALE);
    for (const dep of deps) {
      const up = planned.get(dep.asset);
      if (up) {
        targets = targets.union(
          downstreamPartitionsFor(
            dep.mapping,
            up,
            asset.partitions,
            now,
            definitions.get(dep.asset).partitions,
          ).intersect(built),
        );
      }
    }

    let missing = status.subsets.MISSING;
    for (const dep of deps) {
      if (missing.isEmpty) break;
      const up = statuses.get(dep.asset);
      const upDef = definitions.get(dep.asset).partitions;
      const available = (up?.materialized ?? IntervalSet.EMPTY).union(
        planned.get(dep.asset) ?? IntervalSet.EMPTY,
      );
      if (dep.mapping.kind === "all") {
        // As for staleness: a table built from the days collected so far needs one of them.
        if (available.isEmpty) missing = IntervalSet.EMPTY;
        continue;
      }
      const existing = upDef ? allPartitions(upDef, now) : UNPARTITIONED;
      const unavailable = existing.subtract(available);
      missing = missing.subtract(
        downstreamPartitionsFor(dep.mapping, unavailable, asset.partitions, now, upDef),
      );
    }
    targets = targets.union(missing);
    // Held by a failed check upstream: automation waits for the check to pass again.
    const held = targets.intersect(status.held);
    if (!held.isEmpty) {
      for (const c of status.causes)
        if (isHold(c) && !c.partitions.intersect(held).isEmpty)
          holds.add(`${asset.key} ${describeCause(c)}`);
      targets = targets.subtract(held);
    }
    if (targets.isEmpty) continue;

    const busy = [...definitions.graph.upstreamOf([asset.key])].filter((k) =>
      input.activeAssets.has(k),
    );
    if (busy.length > 0) {
      for (const k of busy) waiting.add(k);
      continue;
    }
    planned.set(asset.key, targets);
  }

  if (planned.size === 0) {
    if (waiting.size > 0)
      return { kind: "skip", reason: `waiting for the runs of ${[...waiting].sort().join(", ")}` };
    if (holds.size > 0) return { kind: "skip", reason: `held: ${[...holds].sort().join("; ")}` };
    return { kind: "skip", reason: "nothing downstream of new data to materialise" };
  }
  const assetKeys = definitions.graph.sortTopologically(planned.keys());
  return {
    kind: "run",
    selection: assetKeys.join(","),
    assetKeys,
    partitions: partitionRequestFor(input, assetKeys, planned),
    targets: planned,
  };
}

function partitionRequestFor(
  input: EagerInput,
  assetKeys: readonly string[],
  planned: ReadonlyMap<string, IntervalSet>,
): PartitionRequest {
  // A stale request only when it names exactly what is to do, waiting partitions included:
  // otherwise the keys say more in the run's and the tick's descriptions.
  // Held partitions are left out of a stale request too.
  const exactlyStale = assetKeys.every((k) => {
    const { subsets, held } = input.statuses.get(k)!;
    const todo = subsets.MISSING.union(subsets.STALE).union(subsets.FAILED).subtract(held);
    return todo.equals(planned.get(k)!);
  });
  if (exactlyStale) return { kind: "stale" };
  const partitioned = assetKeys.filter((k) => input.definitions.get(k).partitions !== undefined);
  if (partitioned.length === 0) return { kind: "none" };
  const defs = partitioned.map((k) => input.definitions.get(k).partitions!);
  const fingerprints = new Set(defs.map((d) => partitionsFingerprint(d)));
  // Keys only mean the same across assets with the same kind of partitions.
  if (fingerprints.size > 1 || !isTimePartitions(defs[0])) return { kind: "stale" };
  const union = IntervalSet.unionAll(partitioned.map((k) => planned.get(k)!));
  // A range over a held partition would build it: ask for what is stale instead.
  const range = IntervalSet.fromRange(union.first!, union.last! + 1);
  if (partitioned.some((k) => !input.statuses.get(k)!.held.intersect(range).isEmpty))
    return { kind: "stale" };
  const from = partitionKey(defs[0]!, union.first!);
  const to = partitionKey(defs[0]!, union.last!);
  return from === to ? { kind: "single", key: from } : { kind: "range", from, to };
}
