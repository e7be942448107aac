import { DefinitionError, UnknownAssetError } from "../errors";
import { AssetGraph } from "../graph/asset-graph";
import { defaultMapping, mappingProblem, type PartitionMapping } from "../partitions/mapping";
import type { AssetDefinition } from "./asset";
import { assetKeyProblem, type AssetKey } from "./asset-key";

/** A dependency with its mapping resolved (explicit or default). */
export interface ResolvedDependency {
  readonly asset: AssetKey;
  readonly mapping: PartitionMapping;
}

/**
 * The validated set of assets a deployment runs, with their lineage graph and shared
 * resources. Validation happens once, in `Definitions.create`, and reports every problem in
 * one error: invalid or duplicate keys, unknown dependencies, cycles (naming their assets) and
 * partition mappings that cannot join the two assets. Nothing runs on invalid definitions.
 *
 * @example
 * export default Definitions.create({ assets: [offres, dimRome], resources: { dataDir: "data" } });
 */
export class Definitions<R = unknown> {
  readonly graph: AssetGraph;
  private readonly byKey: ReadonlyMap<AssetKey, AssetDefinition<R>>;
  private readonly resolvedDeps: ReadonlyMap<AssetKey, readonly ResolvedDependency[]>;

  private constructor(
    assets: readonly AssetDefinition<R>[],
    readonly resources: R,
  ) {
    this.byKey = new Map(assets.map((a) => [a.key, a]));
    this.resolvedDeps = new Map(
      assets.map((a) => [
        a.key,
        a.deps.map((d) => ({
          asset: d.asset,
          mapping: d.mapping ?? defaultMapping(this.byKey.get(d.asset)?.partitions, a.partitions),
        })),
      ]),
    );
    this.graph = AssetGraph.build(
      assets.map((a) => ({
        key: a.key,
        deps: a.deps.map((d) => d.asset),
        group: a.group,
        tags: a.tags,
      })),
    );
  }

  static create<R = undefined>(options: {
    assets: readonly AssetDefinition<R>[];
    resources?: R;
  }): Definitions<R> {
    const problems = validate(options.assets);
    if (problems.length > 0) throw new DefinitionError(problems);
    return new Definitions(options.assets, options.resources as R);
  }

  get assets(): AssetDefinition<R>[] {
    return this.graph.topologicalOrder().map((k) => this.byKey.get(k)!);
  }

  has(key: AssetKey): boolean {
    return this.byKey.has(key);
  }

  get(key: AssetKey): AssetDefinition<R> {
    const a = this.byKey.get(key);
    if (!a) throw new UnknownAssetError(key);
    return a;
  }

  deps(key: AssetKey): readonly ResolvedDependency[] {
    return this.resolvedDeps.get(key) ?? [];
  }

  /** Direct downstream assets with the mapping they read `key` through. */
  dependents(key: AssetKey): { asset: AssetKey; mapping: PartitionMapping }[] {
    return this.graph.children(key).map((child) => ({
      asset: child,
      mapping: this.deps(child).find((d) => d.asset === key)!.mapping,
    }));
  }

  /** A stable text for an asset's dependency list; a change makes its materialisations stale. */
  depsSignature(key: AssetKey): string {
    return this.deps(key)
      .map((d) => d.asset)
      .sort()
      .join(",");
  }
}

function validate<R>(assets: readonly AssetDefinition<R>[]): string[] {
  const problems: string[] = [];
  const byKey = new Map<AssetKey, AssetDefinition<R>>();
  for (const a of assets) {
    const keyProblem = assetKeyProblem(a.key);
    if (keyProblem) problems.push(keyProblem);
    else if (byKey.has(a.key)) problems.push(`duplicate asset key "${a.key}"`);
    else byKey.set(a.key, a);
    if (typeof a.materialize !== "function")
      problems.push(`asset "${a.key}" has no materialize function`);
    if (typeof a.codeVersion !== "string" || a.codeVersion.length === 0) {
      problems.push(`asset "${a.key}" has an empty code version`);
    }
  }
  for (const a of byKey.values()) {
    const seen = new Set<AssetKey>();
    for (const d of a.deps) {
      if (seen.has(d.asset)) problems.push(`asset "${a.key}" lists dependency "${d.asset}" twice`);
      seen.add(d.asset);
      const up = byKey.get(d.asset);
      if (!up) {
        problems.push(`asset "${a.key}" depends on unknown asset "${d.asset}"`);
        continue;
      }
      const mapping = d.mapping ?? defaultMapping(up.partitions, a.partitions);
      const why = mappingProblem(mapping, up.partitions, a.partitions);
      if (why)
        problems.push(
          `asset "${a.key}" → dependency "${d.asset}": incompatible partition mapping (${why})`,
        );
    }
  }
  const cycle = findCycle(byKey);
  if (cycle) problems.push(`dependency cycle: ${cycle.join(" → ")}`);
  return problems;
}

/** A cycle as a closed path of keys (first = last), or undefined. Deterministic. */
function findCycle<R>(byKey: ReadonlyMap<AssetKey, AssetDefinition<R>>): AssetKey[] | undefined {
  const state = new Map<AssetKey, "visiting" | "done">();
  const path: AssetKey[] = [];
  const visit = (key: AssetKey): AssetKey[] | undefined => {
    state.set(key, "visiting");
    path.push(key);
    const deps = [...(byKey.get(key)?.deps ?? [])].map((d) => d.asset).sort();
    for (const dep of deps) {
      if (!byKey.has(dep)) continue;
      const s = state.get(dep);
      if (s === "visiting") {
        // path holds key's upstream chain; the cycle runs dep → … → key → dep read downstream.
        const cycle = path.slice(path.indexOf(dep)).reverse();
        return [...cycle, cycle[0]!];
      }
      if (s === undefined) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    path.pop();
    state.set(key, "done");
    return undefined;
  };
  for (const key of [...byKey.keys()].sort()) {
    if (state.get(key) === undefined) {
      const found = visit(key);
      if (found) return found;
    }
  }
  return undefined;
}
