import type { Definitions } from "../definitions/definitions";
import { LigneeError, NothingToMaterializeError } from "../errors";
import { IntervalSet } from "../partitions/interval-set";
import {
  downstreamPartitionsFor,
  existingUpstreamPartitionsFor,
  wholeAsset,
  type PartitionMapping,
} from "../partitions/mapping";
import { describeCause, isHold, type AssetStatus } from "../status/asset-status";

/**
 * What planning needs to know of an asset's current status: its partitions by status, those
 * waiting on upstream (and why), and those materialised at least once.
 */
export type StatusSubsets = Pick<AssetStatus, "subsets" | "waiting" | "causes" | "materialized"> &
  Partial<Pick<AssetStatus, "held">>;

/** Partitions a `stale` request did not materialise because they wait on upstream partitions. */
export interface LeftOut {
  readonly assetKey: string;
  /** How many partitions were left out. */
  readonly partitions: number;
  /** Why, e.g. `upstream raw/offres[2024-06-01] is missing`. */
  readonly reason: string;
}

/** The partitions a `stale` request materialises, and those it leaves out. */
export interface StaleSelection {
  readonly targets: Map<string, IntervalSet>;
  readonly leftOut: readonly LeftOut[];
}

/**
 * The partitions of an asset worth materialising again: MISSING, STALE and FAILED ones, except
 * those waiting on an upstream partition that was never materialised (building them would build
 * nothing). RUNNING partitions are left to the run building them, FRESH ones need nothing. An
 * unpartitioned asset is its single index 0, so it is included when it is not FRESH (nor RUNNING).
 *
 * @example
 * stalePartitions(computeStatus(definitions, summaries, now).get("raw/offres")!)
 */
export function stalePartitions(status: StatusSubsets): IntervalSet {
  return candidates(status)
    .subtract(status.waiting)
    .subtract(status.held ?? IntervalSet.EMPTY);
}

function candidates(status: StatusSubsets): IntervalSet {
  return status.subsets.MISSING.union(status.subsets.STALE).union(status.subsets.FAILED);
}

/**
 * Pure: per selected asset, the partitions to materialise for a `{ kind: "stale" }` request,
 * from statuses the caller computed (`computeStatus`), within `within`'s partitions per asset
 * when given (a stale request over a range), without the graph: partitions waiting on upstream
 * are left out even when the upstream is selected too (`staleSelection` knows better).
 * Assets with nothing to do are left out; when nothing at all is left, throws
 * NothingToMaterializeError (bad input: no run is created).
 *
 * @example
 * staleTargets(["raw/offres", "emploi/fait_offre_emploi"], statuses)
 * // Map { "raw/offres" → {[19_936, 19_937)} }
 */
export function staleTargets(
  assetKeys: readonly string[],
  statuses: ReadonlyMap<string, StatusSubsets>,
  within?: ReadonlyMap<string, IntervalSet>,
): Map<string, IntervalSet> {
  const out = new Map<string, IntervalSet>();
  for (const key of assetKeys) {
    const all = stalePartitions(statusIn(statuses, key));
    const limit = within?.get(key);
    const todo = limit ? all.intersect(limit) : all;
    if (!todo.isEmpty) out.set(key, todo);
  }
  if (out.size === 0) throw nothingToDo(assetKeys, statuses, [], false);
  return out;
}

/**
 * Pure: the partitions a `stale` request materialises, asset by asset in topological order, and
 * those it leaves out because they wait on upstream partitions that were never materialised and
 * that this request does not build either (an upstream partition the same request builds first
 * is not missing). With `includeMissingUpstream`, those upstream partitions are added to the
 * selection instead, up the graph as far as needed, and nothing is left out.
 *
 * @example
 * staleSelection(definitions, ["dbt/fait_offre_emploi"], statuses, now).leftOut
 * // [{ assetKey: "dbt/fait_offre_emploi", partitions: 923, reason: "upstream raw/offres[…] …" }]
 */
export function staleSelection(
  definitions: Definitions<unknown>,
  assetKeys: readonly string[],
  statuses: ReadonlyMap<string, StatusSubsets>,
  now: Date,
  options: {
    readonly includeMissingUpstream?: boolean;
    /** A stale request over a range: per asset, the partitions it may build. */
    readonly within?: ReadonlyMap<string, IntervalSet>;
  } = {},
): StaleSelection {
  const statusOf = (key: string): StatusSubsets => statusIn(statuses, key);
  const requested = (key: string): IntervalSet => {
    const limit = options.within?.get(key);
    const all = candidates(statusOf(key));
    return limit ? all.intersect(limit) : all;
  };
  if (options.includeMissingUpstream === true) {
    const notHeld = (key: string): IntervalSet =>
      requested(key).subtract(statusOf(key).held ?? IntervalSet.EMPTY);
    const targets = withMissingUpstream(assetKeys, statusOf, notHeld, definitions, now);
    if (targets.size === 0) throw nothingToDo(assetKeys, statuses, [], false);
    return { targets, leftOut: [] };
  }
  const targets = new Map<string, IntervalSet>();
  const leftOut: LeftOut[] = [];
  let someWait = false;
  for (const key of definitions.graph.sortTopologically(assetKeys)) {
    const status = statusOf(key);
    const todo = requested(key);
    const waiting = todo.intersect(status.waiting);
    const blocked = new Set<string>();
    let stillWaiting = IntervalSet.EMPTY;
    for (const dep of definitions.deps(key)) {
      if (waiting.isEmpty) break;
      const unavailable = unavailableFor(definitions, key, dep, waiting, statusOf, targets, now);
      if (!unavailable.isEmpty) blocked.add(dep.asset);
      stillWaiting = stillWaiting.union(unavailable);
    }
    // Held by a failed check upstream: nothing this request builds can lift the hold.
    const held = todo.intersect(status.held ?? IntervalSet.EMPTY).subtract(stillWaiting);
    const buildable = todo.subtract(stillWaiting).subtract(held);
    if (!buildable.isEmpty) targets.set(key, buildable);
    if (!stillWaiting.isEmpty) {
      someWait = true;
      leftOut.push({
        assetKey: key,
        partitions: stillWaiting.size,
        reason: waitingReason(status, blocked),
      });
    }
    if (!held.isEmpty) {
      leftOut.push({ assetKey: key, partitions: held.size, reason: heldReason(status) });
    }
  }
  if (targets.size === 0) throw nothingToDo(assetKeys, statuses, leftOut, someWait);
  return { targets, leftOut };
}

/**
 * Of `partitions` of an asset, those reading (through `dep`) an upstream partition that was
 * never materialised and is not among `targets` either.
 */
function unavailableFor(
  definitions: Definitions<unknown>,
  assetKey: string,
  dep: { readonly asset: string; readonly mapping: PartitionMapping },
  partitions: IntervalSet,
  statusOf: (key: string) => StatusSubsets,
  targets: ReadonlyMap<string, IntervalSet>,
  now: Date,
): IntervalSet {
  const available = statusOf(dep.asset).materialized.union(
    targets.get(dep.asset) ?? IntervalSet.EMPTY,
  );
  if (dep.mapping.kind === "all") return available.isEmpty ? partitions : IntervalSet.EMPTY;
  const upDef = definitions.get(dep.asset).partitions;
  const missing = existingUpstreamPartitionsFor(
    dep.mapping,
    partitions,
    upDef,
    now,
    definitions.get(assetKey).partitions,
  ).subtract(available);
  return downstreamPartitionsFor(
    dep.mapping,
    missing,
    definitions.get(assetKey).partitions,
    now,
    upDef,
  ).intersect(partitions);
}

function statusIn(statuses: ReadonlyMap<string, StatusSubsets>, key: string): StatusSubsets {
  const status = statuses.get(key);
  // computeStatus covers every asset of the definitions: a gap is the caller's mistake.
  if (!status) throw new LigneeError("RUNTIME", `no status was computed for asset ${key}`);
  return status;
}

function nothingToDo(
  assetKeys: readonly string[],
  statuses: ReadonlyMap<string, StatusSubsets>,
  leftOut: readonly LeftOut[],
  /** Whether some of `leftOut` waits on missing upstream (rather than being held). */
  waits: boolean,
): NothingToMaterializeError {
  if (leftOut.length > 0) {
    return new NothingToMaterializeError(
      `nothing to materialise: ${describeLeftOut(leftOut)}${
        waits ? " (include their missing upstream to build them)" : ""
      }`,
    );
  }
  const running = assetKeys.some((k) => !statusIn(statuses, k).subsets.RUNNING.isEmpty);
  return new NothingToMaterializeError(
    running
      ? "nothing to materialise: every selected asset is fresh or being materialised"
      : "nothing to materialise: every selected asset is fresh",
  );
}

/** `left out 923 partitions of dbt/fait_offre_emploi: upstream raw/offres[…] is missing; …` */
export function describeLeftOut(leftOut: readonly LeftOut[]): string {
  return leftOut
    .map(
      (l) =>
        `left out ${l.partitions} partition${l.partitions === 1 ? "" : "s"} of ${l.assetKey}: ${l.reason}`,
    )
    .join("; ");
}

function waitingReason(status: StatusSubsets, upstream: ReadonlySet<string>): string {
  const reasons = status.causes
    .filter((c) => c.kind === "upstream-missing" && upstream.has(c.upstream))
    .map((c) => describeCause(c));
  return reasons.length > 0 ? reasons.join("; ") : "upstream is missing";
}

function heldReason(status: StatusSubsets): string {
  return status.causes
    .filter(isHold)
    .map((c) => describeCause(c))
    .join("; ");
}

/**
 * The stale partitions of the selected assets, waiting ones included, plus the upstream
 * partitions they wait on that were never materialised (and, for those, theirs), asset by asset
 * from the bottom of the graph up.
 */
function withMissingUpstream(
  assetKeys: readonly string[],
  statusOf: (key: string) => StatusSubsets,
  requested: (key: string) => IntervalSet,
  definitions: Definitions<unknown>,
  now: Date,
): Map<string, IntervalSet> {
  const demand = new Map<string, IntervalSet>();
  for (const key of assetKeys) {
    const todo = requested(key);
    if (!todo.isEmpty) demand.set(key, todo);
  }
  const order = [...definitions.graph.topologicalOrder()].reverse();
  for (const key of order) {
    const wanted = demand.get(key);
    if (!wanted) continue;
    const waiting = wanted.intersect(statusOf(key).waiting);
    if (waiting.isEmpty) continue;
    for (const dep of definitions.deps(key)) {
      const up = statusOf(dep.asset);
      const upDef = definitions.get(dep.asset).partitions;
      let needed: IntervalSet;
      if (dep.mapping.kind === "all") {
        needed = up.materialized.isEmpty ? wholeAsset(upDef, now) : IntervalSet.EMPTY;
      } else {
        needed = existingUpstreamPartitionsFor(
          dep.mapping,
          waiting,
          upDef,
          now,
          definitions.get(key).partitions,
        ).intersect(wholeAsset(upDef, now));
      }
      needed = needed.subtract(up.materialized).subtract(up.subsets.RUNNING);
      if (needed.isEmpty) continue;
      demand.set(dep.asset, (demand.get(dep.asset) ?? IntervalSet.EMPTY).union(needed));
    }
  }
  return new Map(
    definitions.graph.sortTopologically(demand.keys()).map((k) => [k, demand.get(k)!]),
  );
}
