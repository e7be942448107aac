import type { Definitions } from "../definitions/definitions";
import { partitionKeys } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import { upstreamPartitionsFor } from "../partitions/mapping";

export interface PlanStep {
  /** Unique in the plan: `asset` or `asset[partition]` or `asset[first…last]`. */
  readonly key: string;
  readonly assetKey: string;
  readonly partitions: IntervalSet;
  /** Keys of the partitions (empty for an unpartitioned asset). */
  readonly partitionKeys: readonly string[];
  /** Steps that must succeed first. */
  readonly dependsOn: readonly string[];
}

export interface Plan {
  readonly steps: readonly PlanStep[];
}

/**
 * Pure and deterministic: the steps that materialise `targets` (asset → partitions), in
 * topological order of assets then partition order, each with the steps it waits for. An asset
 * with the `per-partition` backfill policy gets one step per partition; `single-run` gets one
 * step for its whole subset. Dependencies outside the targets are read as they are stored.
 *
 * @example
 * plan(definitions, new Map([["raw/offres", IntervalSet.fromRange(19_936, 19_939)]]), now)
 */
export function plan(
  definitions: Definitions<unknown>,
  targets: ReadonlyMap<string, IntervalSet>,
  now: Date,
): Plan {
  const steps: PlanStep[] = [];
  const stepsByAsset = new Map<
    string,
    { perPartition: Map<number, string> | undefined; steps: PlanStep[] }
  >();
  for (const assetKey of definitions.graph.sortTopologically(targets.keys())) {
    const asset = definitions.get(assetKey);
    const subset = targets.get(assetKey)!;
    if (subset.isEmpty) continue;
    const chunks: IntervalSet[] =
      asset.partitions && asset.backfillPolicy === "per-partition"
        ? [...subset].map((i) => IntervalSet.single(i))
        : [subset];
    const own: PlanStep[] = [];
    const perPartition =
      asset.partitions && asset.backfillPolicy === "per-partition"
        ? new Map<number, string>()
        : undefined;
    for (const chunk of chunks) {
      const keys = asset.partitions ? partitionKeys(asset.partitions, chunk) : [];
      const dependsOn: string[] = [];
      for (const dep of definitions.deps(assetKey)) {
        const upstream = stepsByAsset.get(dep.asset);
        if (!upstream) continue;
        const needed = upstreamPartitionsFor(
          dep.mapping,
          chunk,
          definitions.get(dep.asset).partitions,
          now,
        );
        if (upstream.perPartition && needed.size <= upstream.steps.length) {
          for (const i of needed) {
            const s = upstream.perPartition.get(i);
            if (s !== undefined) dependsOn.push(s);
          }
        } else {
          for (const s of upstream.steps)
            if (!s.partitions.intersect(needed).isEmpty) dependsOn.push(s.key);
        }
      }
      const step: PlanStep = {
        key: stepKey(assetKey, keys),
        assetKey,
        partitions: chunk,
        partitionKeys: keys,
        dependsOn,
      };
      own.push(step);
      steps.push(step);
      if (perPartition && chunk.first !== undefined) perPartition.set(chunk.first, step.key);
    }
    stepsByAsset.set(assetKey, { perPartition, steps: own });
  }
  return { steps };
}

function stepKey(assetKey: string, keys: readonly string[]): string {
  if (keys.length === 0) return assetKey;
  if (keys.length === 1) return `${assetKey}[${keys[0]}]`;
  return `${assetKey}[${keys[0]}…${keys[keys.length - 1]}]`;
}
