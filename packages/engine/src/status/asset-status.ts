import { failedCheckPartitions } from "./failed-check-partitions";
import type { Definitions } from "../definitions/definitions";
import { allPartitions, partitionIndex, partitionKey } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import { partitionsLayout, partitionsLayoutKeeps } from "../partitions/layout";
import {
  downstreamPartitionsFor,
  existingUpstreamPartitionsFor,
  UNPARTITIONED,
  type PartitionMapping,
} from "../partitions/mapping";
import type { AssetStorageSummary } from "./asset-storage-summary";

export type PartitionStatus = "MISSING" | "FRESH" | "STALE" | "FAILED" | "RUNNING";
export const PARTITION_STATUSES: readonly PartitionStatus[] = [
  "FRESH",
  "STALE",
  "MISSING",
  "FAILED",
  "RUNNING",
];

/** Why materialised partitions are stale; `partitions` says which ones. */
export type StaleCause =
  | {
      readonly kind: "code-version-changed";
      readonly from: string;
      readonly to: string;
      readonly partitions: IntervalSet;
    }
  | {
      readonly kind: "dependencies-changed";
      readonly added: readonly string[];
      readonly removed: readonly string[];
      readonly partitions: IntervalSet;
    }
  | { readonly kind: "upstream-newer"; readonly upstream: string; readonly partitions: IntervalSet }
  | {
      /**
       * The partitions wait on upstream partitions that were never materialised: they are
       * MISSING (whether or not they were built before), and `stale` requests leave them out.
       */
      readonly kind: "upstream-missing";
      readonly upstream: string;
      readonly partitions: IntervalSet;
      /** The first missing upstream partition keys (at most MISSING_KEYS_SHOWN; empty when unpartitioned). */
      readonly missingKeys?: readonly string[];
      /** How many upstream partitions are missing in all. */
      readonly missingCount?: number;
    }
  | {
      readonly kind: "upstream-stale";
      readonly upstream: string;
      readonly partitions: IntervalSet;
    }
  | {
      /**
       * The partitions read upstream partitions whose latest result of an `error` check failed:
       * they are held (left out of stale requests and automation) until the check passes again
       * or is switched off. Their status is unchanged: a hold is not staleness.
       */
      readonly kind: "blocked-by-check";
      readonly upstream: string;
      readonly check: string;
      readonly partitions: IntervalSet;
      /** The first failed upstream partition keys (at most MISSING_KEYS_SHOWN; empty when unpartitioned). */
      readonly failedKeys: readonly string[];
      /** How many upstream partitions failed the check. */
      readonly failedCount: number;
    }
  | {
      /**
       * The asset's partitions changed since its history was written, so that its stored
       * partitions would name other keys (`partitionsLayoutKeeps`): its history is ignored, all
       * its partitions are held (left out of stale requests and automation), and materialising
       * it is refused until the change is reverted or the asset gets a new key.
       */
      readonly kind: "partitions-changed";
      readonly partitions: IntervalSet;
    };

export interface AssetStatus {
  readonly key: string;
  readonly partitioned: boolean;
  /** The asset's overall state: RUNNING, then FAILED, then STALE win; MISSING only if nothing is materialised. */
  readonly status: PartitionStatus;
  /** Partitions that exist now (1 for an unpartitioned asset). */
  readonly total: number;
  readonly counts: Readonly<Record<PartitionStatus, number>>;
  readonly subsets: Readonly<Record<PartitionStatus, IntervalSet>>;
  readonly causes: readonly StaleCause[];
  /**
   * Partitions that cannot be built yet: a partition they read upstream (through the mapping)
   * was never materialised. Not RUNNING; MISSING unless FAILED. See the `upstream-missing` causes.
   */
  readonly waiting: IntervalSet;
  /** Partitions materialised at least once (whatever their status now). */
  readonly materialized: IntervalSet;
  /**
   * Partitions held by a failed `error` check upstream (see the `blocked-by-check` causes):
   * stale requests and automation leave them out.
   */
  readonly held: IntervalSet;
}

/** How many missing upstream partition keys a cause names before "and N more". */
export const MISSING_KEYS_SHOWN = 3;

const EMPTY_SUMMARY: AssetStorageSummary = {
  versions: [],
  staleMarks: [],
  failed: IntervalSet.EMPTY,
  running: IntervalSet.EMPTY,
};

/**
 * Pure staleness. From the stored roll-ups, computes every asset's partitions by status and the
 * causes of staleness, walking the graph in topological order so that an asset downstream of a
 * stale asset is stale too ("upstream X is stale"). Works on interval sets only: an asset that
 * reads all 1,000+ partitions of a daily asset costs the same as one reading a single partition.
 *
 * @example
 * const statuses = computeStatus(definitions, await storage.getAssetSummaries(), new Date());
 * statuses.get("emploi/fait_offre_emploi")?.causes;
 */
export function computeStatus(
  definitions: Definitions<unknown>,
  summaries: ReadonlyMap<string, AssetStorageSummary>,
  now: Date,
): Map<string, AssetStatus> {
  const result = new Map<string, AssetStatus>();
  const materializedOf = new Map<string, IntervalSet>();
  const staleOf = new Map<string, IntervalSet>();

  for (const asset of definitions.assets) {
    const stored = summaries.get(asset.key) ?? EMPTY_SUMMARY;
    const existing = asset.partitions ? allPartitions(asset.partitions, now) : UNPARTITIONED;
    // Stored indices that would name other keys are read as nothing: this asset alone shows
    // why, the rest of the graph sees it as never materialised.
    const changed =
      stored.partitionsLayout !== undefined &&
      !partitionsLayoutKeeps(stored.partitionsLayout, partitionsLayout(asset.partitions));
    const summary = changed ? EMPTY_SUMMARY : stored;
    const materialized = IntervalSet.unionAll(summary.versions.map((v) => v.partitions));
    materializedOf.set(asset.key, materialized);
    const causes: StaleCause[] = [];
    const add = (cause: StaleCause): void => {
      if (!cause.partitions.isEmpty) causes.push(cause);
    };

    if (changed) add({ kind: "partitions-changed", partitions: existing });

    let waiting = IntervalSet.EMPTY;
    const depsSignature = definitions.depsSignature(asset.key);
    for (const v of summary.versions) {
      if (v.codeVersion !== asset.codeVersion) {
        add({
          kind: "code-version-changed",
          from: v.codeVersion,
          to: asset.codeVersion,
          partitions: v.partitions,
        });
      }
      if (v.depsSignature !== depsSignature) {
        const before = splitSignature(v.depsSignature);
        const after = splitSignature(depsSignature);
        add({
          kind: "dependencies-changed",
          added: after.filter((d) => !before.includes(d)),
          removed: before.filter((d) => !after.includes(d)),
          partitions: v.partitions,
        });
      }
    }

    for (const dep of definitions.deps(asset.key)) {
      const upDef = definitions.get(dep.asset).partitions;
      const mark = summary.staleMarks.find((m) => m.upstreamKey === dep.asset);
      if (mark)
        add({
          kind: "upstream-newer",
          upstream: dep.asset,
          partitions: mark.partitions.intersect(materialized),
        });

      const upMaterialized = materializedOf.get(dep.asset) ?? IntervalSet.EMPTY;
      // "Exists" means materialised at least once: a failed or stale upstream partition still
      // has data to read; one never materialised has none, whatever runs are on their way.
      let waitingFor: IntervalSet;
      let missingUp: IntervalSet;
      if (dep.mapping.kind === "all") {
        // A table built from the days collected so far needs one of them, not all.
        waitingFor = upMaterialized.isEmpty ? existing : IntervalSet.EMPTY;
        missingUp = IntervalSet.EMPTY;
      } else {
        missingUp = existingUpstreamPartitionsFor(
          dep.mapping,
          existing,
          upDef,
          now,
          asset.partitions,
        ).subtract(upMaterialized);
        waitingFor = downstreamPartitionsFor(
          dep.mapping,
          missingUp,
          asset.partitions,
          now,
          upDef,
        ).intersect(existing);
      }
      waitingFor = waitingFor.subtract(summary.running);
      if (!waitingFor.isEmpty) {
        const keys: string[] = [];
        if (upDef) {
          for (const i of missingUp) {
            if (keys.length >= MISSING_KEYS_SHOWN) break;
            keys.push(partitionKey(upDef, i));
          }
        }
        waiting = waiting.union(waitingFor);
        add({
          kind: "upstream-missing",
          upstream: dep.asset,
          partitions: waitingFor,
          missingKeys: keys,
          missingCount: upDef ? missingUp.size : 1,
        });
      }

      const upStale = staleOf.get(dep.asset) ?? IntervalSet.EMPTY;
      add({
        kind: "upstream-stale",
        upstream: dep.asset,
        partitions: downstreamPartitionsFor(
          dep.mapping,
          upStale,
          asset.partitions,
          now,
          upDef,
        ).intersect(materialized),
      });
      if (dep.blockOnChecks) {
        for (const c of blockedByChecks(definitions, asset.key, dep, summaries, existing, now))
          add(c);
      }
    }

    // A partition waiting on upstream is not stale: rebuilding it cannot help. The other causes
    // keep the partitions they make stale, so that their counts add up with the statuses. A
    // partition that no longer exists (a removed dynamic key) is stale for no one: left in, it
    // would hold every asset downstream stale however often they are rebuilt.
    const ownCauses = causes.flatMap((c): StaleCause[] => {
      if (HOLDS_OR_WAITS.has(c.kind)) return [c];
      const partitions = c.partitions.intersect(existing).subtract(waiting);
      return partitions.isEmpty ? [] : [{ ...c, partitions }];
    });
    const stale = IntervalSet.unionAll(
      ownCauses.filter((c) => !HOLDS_OR_WAITS.has(c.kind)).map((c) => c.partitions),
    )
      .intersect(materialized)
      .intersect(existing);
    staleOf.set(asset.key, stale);

    const running = summary.running.intersect(existing);
    const failed = summary.failed.intersect(existing).subtract(running);
    const staleNow = stale.intersect(existing).subtract(running).subtract(failed);
    const fresh = materialized
      .intersect(existing)
      .subtract(stale)
      .subtract(waiting)
      .subtract(running)
      .subtract(failed);
    const missing = existing
      .subtract(materialized)
      .union(waiting.intersect(existing))
      .subtract(running)
      .subtract(failed);
    const subsets: Record<PartitionStatus, IntervalSet> = {
      FRESH: fresh,
      STALE: staleNow,
      MISSING: missing,
      FAILED: failed,
      RUNNING: running,
    };
    const counts = Object.fromEntries(
      PARTITION_STATUSES.map((s) => [s, subsets[s].size]),
    ) as Record<PartitionStatus, number>;
    result.set(asset.key, {
      key: asset.key,
      partitioned: asset.partitions !== undefined,
      status: overallStatus(counts),
      total: existing.size,
      counts,
      subsets,
      causes: ownCauses,
      waiting: waiting.intersect(existing),
      materialized,
      held: IntervalSet.unionAll(ownCauses.filter(isHold).map((c) => c.partitions)),
    });
  }
  return result;
}

/** Whether a cause holds its partitions (a failed check upstream, a change of partitions). */
export function isHold(cause: StaleCause): boolean {
  return cause.kind === "blocked-by-check" || cause.kind === "partitions-changed";
}

/** Causes that wait or hold rather than make stale. */
const HOLDS_OR_WAITS: ReadonlySet<StaleCause["kind"]> = new Set([
  "upstream-missing",
  "blocked-by-check",
  "partitions-changed",
]);

/** The `partitions-changed` cause in words. */
const PARTITIONS_CHANGED =
  "partitions changed since its history was written, so its stored partitions would name other keys: revert the change, or declare the new partitions under a new asset key";

function overallStatus(counts: Readonly<Record<PartitionStatus, number>>): PartitionStatus {
  if (counts.RUNNING > 0) return "RUNNING";
  if (counts.FAILED > 0) return "FAILED";
  if (counts.STALE > 0) return "STALE";
  if (counts.FRESH === 0) return "MISSING";
  return "FRESH";
}

function splitSignature(signature: string): string[] {
  return signature.length === 0 ? [] : signature.split(",");
}

/** A cause in words, e.g. `code version changed (1 → 2)`. */
export function describeCause(cause: StaleCause): string {
  switch (cause.kind) {
    case "code-version-changed":
      return `code version changed (${cause.from} → ${cause.to})`;
    case "dependencies-changed": {
      const parts = [...cause.added.map((d) => `+${d}`), ...cause.removed.map((d) => `-${d}`)];
      return `dependencies changed (${parts.join(", ")})`;
    }
    case "upstream-newer":
      return `upstream ${cause.upstream} has newer data`;
    case "upstream-missing": {
      const keys = cause.missingKeys ?? [];
      if (keys.length === 0) return `upstream ${cause.upstream} is missing`;
      const more = (cause.missingCount ?? keys.length) - keys.length;
      const named = `upstream ${cause.upstream}[${keys.join(", ")}]`;
      if (more > 0) return `${named} and ${more} more are missing`;
      return keys.length === 1 ? `${named} is missing` : `${named} are missing`;
    }
    case "upstream-stale":
      return `upstream ${cause.upstream} is stale`;
    case "blocked-by-check":
      return describeCheckBlock(cause.upstream, cause.check, cause.failedKeys, cause.failedCount);
    case "partitions-changed":
      return PARTITIONS_CHANGED;
  }
}

/**
 * `blocked by failed check raw/offres:unique_ids on partition 2024-08-01` (`on partitions A, B
 * and 3 more`; no partition for an unpartitioned asset).
 */
export function describeCheckBlock(
  upstream: string,
  check: string,
  failedKeys: readonly string[],
  failedCount: number,
): string {
  const head = `blocked by failed check ${upstream}:${check}`;
  if (failedKeys.length === 0) return head;
  const more = failedCount - failedKeys.length;
  const keys = failedKeys.join(", ");
  if (failedKeys.length === 1 && more <= 0) return `${head} on partition ${keys}`;
  return more > 0
    ? `${head} on partitions ${keys} and ${more} more`
    : `${head} on partitions ${keys}`;
}

/** The `blocked-by-check` causes of an asset through one dependency. */
function blockedByChecks(
  definitions: Definitions<unknown>,
  assetKey: string,
  dep: { readonly asset: string; readonly mapping: PartitionMapping },
  summaries: ReadonlyMap<string, AssetStorageSummary>,
  existing: IntervalSet,
  now: Date,
): StaleCause[] {
  const failedChecks = summaries.get(dep.asset)?.failedChecks ?? [];
  if (failedChecks.length === 0) return [];
  const upDef = definitions.get(dep.asset).partitions;
  const downDef = definitions.get(assetKey).partitions;
  return failedChecks.map((c): StaleCause => {
    const failed = failedCheckPartitions(definitions, dep.asset, c, now);
    const failedKeys: string[] = [];
    if (upDef) {
      for (const i of failed) {
        if (failedKeys.length >= MISSING_KEYS_SHOWN) break;
        failedKeys.push(partitionKey(upDef, i));
      }
    }
    return {
      kind: "blocked-by-check",
      upstream: dep.asset,
      check: c.checkName,
      partitions: downstreamPartitionsFor(dep.mapping, failed, downDef, now, upDef).intersect(
        existing,
      ),
      failedKeys,
      failedCount: upDef ? failed.size : 1,
    };
  });
}
