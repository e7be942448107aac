import { describe, expect, it } from "vitest";
import { AssetGraph } from "./asset-graph";

type Node = Parameters<typeof AssetGraph.build>[0][number];

const node = (key: string, deps: string[] = [], group = "g"): Node => ({
  key,
  deps,
  group,
  tags: {},
});

/**
 * A diamond (a → b, a → c, b → d, c → d), a chain beside it (x → z) and a lone node (m).
 * Alphabetical order alone (a, b, c, d, m, x, z) is not the expected order: m and x are roots
 * and come first, and z (depth 1) comes before d (depth 2).
 */
const NODES: Node[] = [
  node("d", ["b", "c"]),
  node("c", ["a"]),
  node("b", ["a"]),
  node("a"),
  node("z", ["x"]),
  node("x"),
  node("m"),
];

/** Every permutation of a small list (for order-independence checks). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  const out: T[][] = [];
  items.forEach((item, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) {
      out.push([item, ...rest]);
    }
  });
  return out;
}

/** Checks that every node comes after all its dependencies. */
function expectTopological(order: readonly string[], nodes: readonly Node[]): void {
  const pos = new Map(order.map((k, i) => [k, i]));
  expect(order).toHaveLength(nodes.length);
  for (const n of nodes) {
    for (const d of n.deps)
      expect(pos.get(d)!, `${d} before ${n.key}`).toBeLessThan(pos.get(n.key)!);
  }
}

describe("AssetGraph: topological order", () => {
  const graph = AssetGraph.build(NODES);

  it("layers the graph by depth, alphabetically within a layer", () => {
    expect(graph.topologicalGenerations()).toEqual([["a", "m", "x"], ["b", "c", "z"], ["d"]]);
    expect(graph.topologicalOrder()).toEqual(["a", "m", "x", "b", "c", "z", "d"]);
    expect(graph.keys()).toEqual(graph.topologicalOrder());
    expectTopological(graph.topologicalOrder(), NODES);
  });

  it("places a node after its deepest dependency", () => {
    // c depends on a directly and through b: it belongs to the third layer.
    const g = AssetGraph.build([node("c", ["a", "b"]), node("b", ["a"]), node("a"), node("aa")]);
    expect(g.topologicalGenerations()).toEqual([["a", "aa"], ["b"], ["c"]]);
  });

  it("does not depend on the order nodes or their dependencies are given in", () => {
    const expected = graph.topologicalOrder();
    for (const perm of permutations(NODES)) {
      expect(AssetGraph.build(perm).topologicalOrder()).toEqual(expected);
    }
    const reversedDeps = NODES.map((n) => ({ ...n, deps: [...n.deps].reverse() }));
    expect(AssetGraph.build(reversedDeps).topologicalOrder()).toEqual(expected);
  });

  it("ignores a dependency listed twice", () => {
    const g = AssetGraph.build([node("a"), node("b", ["a", "a"])]);
    expect(g.topologicalOrder()).toEqual(["a", "b"]);
    expect(g.snapshot().edges).toEqual([{ from: "a", to: "b" }]);
  });

  it("sorts any subset of keys topologically", () => {
    expect(graph.sortTopologically(["d", "z", "a", "m"])).toEqual(["a", "m", "z", "d"]);
    expect(graph.sortTopologically(new Set(["c", "b"]))).toEqual(["b", "c"]);
    expect(graph.sortTopologically([])).toEqual([]);
  });

  it("handles an empty graph", () => {
    const g = AssetGraph.build([]);
    expect(g.size).toBe(0);
    expect(g.topologicalOrder()).toEqual([]);
  });
});

describe("AssetGraph: neighbours and walks", () => {
  const graph = AssetGraph.build(NODES);

  it("knows its nodes", () => {
    expect(graph.size).toBe(7);
    expect(graph.has("a")).toBe(true);
    expect(graph.has("nope")).toBe(false);
  });

  it("lists parents and children, sorted", () => {
    expect(graph.parents("d")).toEqual(["b", "c"]);
    expect(graph.parents("a")).toEqual([]);
    expect(graph.children("a")).toEqual(["b", "c"]);
    expect(graph.children("d")).toEqual([]);
    expect(graph.children("x")).toEqual(["z"]);
  });

  it("walks upstream, including the start", () => {
    expect(graph.upstreamOf(["d"])).toEqual(new Set(["a", "b", "c", "d"]));
    expect(graph.upstreamOf(["b"])).toEqual(new Set(["a", "b"]));
    expect(graph.upstreamOf(["a"])).toEqual(new Set(["a"]));
    expect(graph.upstreamOf(["b", "z"])).toEqual(new Set(["a", "b", "x", "z"]));
    expect(graph.upstreamOf([])).toEqual(new Set());
  });

  it("walks downstream, including the start", () => {
    expect(graph.downstreamOf(["a"])).toEqual(new Set(["a", "b", "c", "d"]));
    expect(graph.downstreamOf(["c"])).toEqual(new Set(["c", "d"]));
    expect(graph.downstreamOf(["x", "m"])).toEqual(new Set(["x", "z", "m"]));
    expect(graph.downstreamOf(["d"])).toEqual(new Set(["d"]));
  });
});

describe("AssetGraph: attributes and snapshot", () => {
  it("keeps groups and tags", () => {
    const g = AssetGraph.build([
      { key: "a", deps: [], group: "ingest", tags: { source: "ft" } },
      { key: "b", deps: ["a"], group: "marts", tags: {} },
    ]);
    expect(g.group("a")).toBe("ingest");
    expect(g.tags("a")).toEqual({ source: "ft" });
    expect(g.tags("b")).toEqual({});
  });

  it("snapshots nodes in topological order with every edge", () => {
    const g = AssetGraph.build(NODES);
    const snap = g.snapshot();
    expect(snap.nodes.map((n) => n.key)).toEqual(g.topologicalOrder());
    expect(snap.nodes[0]).toEqual({ key: "a", group: "g" });
    const edges = snap.edges.map((e) => `${e.from}→${e.to}`).sort();
    expect(edges).toEqual(["a→b", "a→c", "b→d", "c→d", "x→z"]);
  });
});
