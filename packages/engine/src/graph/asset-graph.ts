import { DirectedGraph } from "graphology";
import { topologicalGenerations } from "graphology-dag";
import type { AssetKey } from "./asset-key";

/** A serialisable view of the graph, for the CLI, API and UI. */
export interface GraphSnapshot {
  readonly nodes: readonly { key: AssetKey; group: string }[];
  readonly edges: readonly { from: AssetKey; to: AssetKey }[];
}

interface NodeAttributes {
  group: string;
  tags: Readonly<Record<string, string>>;
}

/**
 * The asset lineage graph. Wraps graphology so that the rest of the engine deals in asset keys
 * and stable orders only. Build it from acyclic definitions (the registry checks that first).
 *
 * @example
 * const g = AssetGraph.build([{ key: "a", deps: [], group: "g", tags: {} }, { key: "b", deps: ["a"], group: "g", tags: {} }]);
 * g.topologicalOrder(); // ["a", "b"]
 * g.downstreamOf(["a"]); // Set { "a", "b" }
 */
export class AssetGraph {
  private readonly order: readonly AssetKey[];
  private readonly position: ReadonlyMap<AssetKey, number>;

  private constructor(
    private readonly graph: DirectedGraph<NodeAttributes>,
    private readonly generations: readonly (readonly AssetKey[])[],
  ) {
    this.order = generations.flat();
    this.position = new Map(this.order.map((k, i) => [k, i]));
  }

  static build(
    nodes: readonly {
      key: AssetKey;
      deps: readonly AssetKey[];
      group: string;
      tags: Readonly<Record<string, string>>;
    }[],
  ): AssetGraph {
    const graph = new DirectedGraph<NodeAttributes>();
    for (const n of nodes) graph.addNode(n.key, { group: n.group, tags: n.tags });
    for (const n of nodes) {
      for (const d of n.deps) if (!graph.hasEdge(d, n.key)) graph.addEdge(d, n.key);
    }
    const generations = topologicalGenerations(graph).map((g) => [...g].sort());
    return new AssetGraph(graph, generations);
  }

  get size(): number {
    return this.graph.order;
  }

  has(key: AssetKey): boolean {
    return this.graph.hasNode(key);
  }

  keys(): readonly AssetKey[] {
    return this.order;
  }

  /** Layers of the graph: every asset comes after all its upstream assets; ties are alphabetical. */
  topologicalGenerations(): readonly (readonly AssetKey[])[] {
    return this.generations;
  }

  topologicalOrder(): readonly AssetKey[] {
    return this.order;
  }

  /** Sorts keys by topological order (stable across runs). */
  sortTopologically(keys: Iterable<AssetKey>): AssetKey[] {
    return [...keys].sort((a, b) => (this.position.get(a) ?? 0) - (this.position.get(b) ?? 0));
  }

  group(key: AssetKey): string {
    return this.graph.getNodeAttribute(key, "group");
  }

  tags(key: AssetKey): Readonly<Record<string, string>> {
    return this.graph.getNodeAttribute(key, "tags");
  }

  parents(key: AssetKey): AssetKey[] {
    return this.graph.inNeighbors(key).sort();
  }

  children(key: AssetKey): AssetKey[] {
    return this.graph.outNeighbors(key).sort();
  }

  /** The given assets and everything upstream of them. */
  upstreamOf(keys: Iterable<AssetKey>): Set<AssetKey> {
    return this.walk(keys, (k) => this.graph.inNeighbors(k));
  }

  /** The given assets and everything downstream of them. */
  downstreamOf(keys: Iterable<AssetKey>): Set<AssetKey> {
    return this.walk(keys, (k) => this.graph.outNeighbors(k));
  }

  snapshot(): GraphSnapshot {
    return {
      nodes: this.order.map((key) => ({ key, group: this.group(key) })),
      edges: this.graph.mapEdges((_e, _a, from, to) => ({ from, to })),
    };
  }

  private walk(start: Iterable<AssetKey>, next: (k: AssetKey) => AssetKey[]): Set<AssetKey> {
    const seen = new Set<AssetKey>();
    const stack = [...start];
    while (stack.length > 0) {
      const k = stack.pop()!;
      if (seen.has(k)) continue;
      seen.add(k);
      for (const n of next(k)) if (!seen.has(n)) stack.push(n);
    }
    return seen;
  }
}
