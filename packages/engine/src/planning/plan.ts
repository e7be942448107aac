import type { Definitions } from "../definitions/definitions";
import { partitionKeys } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import { upstreamPartitionsFor } from "../partitions/mapping";

/** One asset of a step, with the partitions the step materialises. */
export interface StepMember {
  readonly assetKey: string;
  readonly partitions: IntervalSet;
  /** Keys of the partitions (empty for an unpartitioned asset). */
  readonly partitionKeys: readonly string[];
}

export interface PlanStep extends StepMember {
  /** Unique in the plan: `asset`, `asset[partition]`, `asset[first…last]`, or `runner(…)`. */
  readonly key: string;
  /** Steps that must succeed first. */
  readonly dependsOn: readonly string[];
  /**
   * Set when one call of an asset-group runner materialises several assets (e.g. one `dbt
   * build` for the dbt models of the run); the step's own asset is then the first member.
   */
  readonly members?: readonly StepMember[];
  /** The runner of a group step. */
  readonly runnerKey?: string;
  /** A step of a checks-only run (`lignee check`): evaluates checks, materialises nothing. */
  readonly checksOnly?: boolean;
}

/** The assets a step materialises: its members, or its one asset. */
export function stepMembers(step: PlanStep): readonly StepMember[] {
  return step.members ?? [step];
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
          asset.partitions,
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
  return { steps: mergeRunnerSteps(definitions, steps) };
}

/**
 * Merges the steps of assets that share a runner into one step per runner, unless a step
 * outside the group sits between two members (merging would then create a cycle).
 */
function mergeRunnerSteps(definitions: Definitions<unknown>, steps: PlanStep[]): PlanStep[] {
  const groups = new Map<string, PlanStep[]>();
  for (const step of steps) {
    const runner = definitions.get(step.assetKey).runner;
    if (!runner) continue;
    const list = groups.get(runner.key) ?? [];
    list.push(step);
    groups.set(runner.key, list);
  }
  let out = steps;
  for (const [runnerKey, members] of groups) {
    if (members.length < 2) continue;
    const memberKeys = new Set(members.map((m) => m.key));
    if (separatedByOtherSteps(out, memberKeys)) continue;
    const merged: PlanStep = {
      key: `${runnerKey}(${members.map((m) => m.key).join(", ")})`,
      assetKey: members[0]!.assetKey,
      partitions: members[0]!.partitions,
      partitionKeys: members[0]!.partitionKeys,
      dependsOn: [...new Set(members.flatMap((m) => m.dependsOn))].filter(
        (d) => !memberKeys.has(d),
      ),
      members: members.map(({ assetKey, partitions, partitionKeys: keys }) => ({
        assetKey,
        partitions,
        partitionKeys: keys,
      })),
      runnerKey,
    };
    const lastMember = members[members.length - 1]!.key;
    out = out.flatMap((s) => {
      if (s.key === lastMember) return [merged];
      if (memberKeys.has(s.key)) return [];
      if (!s.dependsOn.some((d) => memberKeys.has(d))) return [s];
      const dependsOn = [...new Set(s.dependsOn.map((d) => (memberKeys.has(d) ? merged.key : d)))];
      return [{ ...s, dependsOn }];
    });
  }
  return out;
}

/** Whether some step outside `members` depends on a member and is depended on by one. */
function separatedByOtherSteps(steps: readonly PlanStep[], members: ReadonlySet<string>): boolean {
  const dependents = new Map<string, string[]>();
  for (const s of steps) {
    for (const d of s.dependsOn) {
      const list = dependents.get(d) ?? [];
      list.push(s.key);
      dependents.set(d, list);
    }
  }
  const byKey = new Map(steps.map((s) => [s.key, s]));
  const walk = (start: Iterable<string>, next: (k: string) => readonly string[]): Set<string> => {
    const seen = new Set<string>();
    const stack = [...start].flatMap(next);
    while (stack.length > 0) {
      const k = stack.pop()!;
      if (seen.has(k) || members.has(k)) continue;
      seen.add(k);
      stack.push(...next(k));
    }
    return seen;
  };
  const below = walk(members, (k) => dependents.get(k) ?? []);
  const above = walk(members, (k) => byKey.get(k)?.dependsOn ?? []);
  for (const k of below) if (above.has(k)) return true;
  return false;
}

function stepKey(assetKey: string, keys: readonly string[]): string {
  if (keys.length === 0) return assetKey;
  if (keys.length === 1) return `${assetKey}[${keys[0]}]`;
  return `${assetKey}[${keys[0]}…${keys[keys.length - 1]}]`;
}
