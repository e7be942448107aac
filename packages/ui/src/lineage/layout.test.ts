import { describe, expect, it } from "vitest";
import {
  GROUP_NODE_HEIGHT,
  GROUP_NODE_WIDTH,
  groupNodeId,
  layoutGraph,
  NODE_HEIGHT,
  NODE_WIDTH,
  overviewColumns,
  routePath,
  type Layout,
  type LayoutInput,
} from "./layout";

const overlaps = (
  a: { x: number; y: number; w: number; h: number },
  b: { x: number; y: number; w: number; h: number },
) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * `groups` groups of `size` assets where asset i of a group feeds asset i of every later group and
 * asset i + 3 of every earlier one: acyclic, but collapsed, every pair of groups is a cycle.
 */
function denseGroups(groups: number, size: number): LayoutInput {
  const key = (g: number, i: number) => `g${g}/a${i}`;
  const nodes = [];
  for (let i = 0; i < size; i++)
    for (let g = 0; g < groups; g++) nodes.push({ key: key(g, i), group: `g${g}` });
  const edges: { from: string; to: string }[] = [];
  for (let i = 0; i < size; i++)
    for (let g = 0; g < groups; g++)
      for (let h = 0; h < groups; h++) {
        if (h > g && (i + g + h) % 3 === 0) edges.push({ from: key(g, i), to: key(h, i) });
        if (h < g && i + 3 < size && (i + g * h) % 11 === 0)
          edges.push({ from: key(g, i), to: key(h, i + 3) });
      }
  return { nodes, edges };
}

function syntheticGraph(n: number, groups: number): LayoutInput {
  const nodes = Array.from({ length: n }, (_, i) => ({ key: `a${i}`, group: `g${i % groups}` }));
  const edges: { from: string; to: string }[] = [];
  for (let i = 10; i < n; i++) {
    edges.push({ from: `a${(i * 7) % i}`, to: `a${i}` });
    edges.push({ from: `a${i - 10}`, to: `a${i}` });
  }
  return { nodes, edges };
}

describe("layoutGraph", () => {
  const pipeline: LayoutInput = {
    nodes: [
      { key: "raw/offres", group: "collecte" },
      { key: "raw/rome", group: "referentiels" },
      { key: "emploi/dim_rome", group: "referentiels" },
      { key: "emploi/fait_offre_emploi", group: "offres" },
    ],
    edges: [
      { from: "raw/rome", to: "emploi/dim_rome" },
      { from: "raw/offres", to: "emploi/fait_offre_emploi" },
      { from: "emploi/dim_rome", to: "emploi/fait_offre_emploi" },
    ],
  };

  it("places every asset to the right of its upstream assets (longest path)", () => {
    const layout = layoutGraph(pipeline);
    const x = (k: string) => layout.positions.get(k)!.x;
    for (const e of pipeline.edges) expect(x(e.to)).toBeGreaterThan(x(e.from));
    // fait_offre_emploi is two steps from raw/rome, so it sits in the third column.
    expect(x("emploi/fait_offre_emploi")).toBeGreaterThan(x("emploi/dim_rome"));
    expect(x("raw/offres")).toBe(x("raw/rome"));
  });

  it("draws one box per group that contains exactly its assets", () => {
    const layout = layoutGraph(pipeline);
    expect(layout.groups.map((g) => g.group).sort()).toEqual([
      "collecte",
      "offres",
      "referentiels",
    ]);
    for (const n of pipeline.nodes) {
      const p = layout.positions.get(n.key)!;
      const box = layout.groups.find((g) => g.group === n.group)!;
      expect(p.x).toBeGreaterThanOrEqual(box.x);
      expect(p.x + NODE_WIDTH).toBeLessThanOrEqual(box.x + box.width);
      expect(p.y).toBeGreaterThanOrEqual(box.y);
      expect(p.y + NODE_HEIGHT).toBeLessThanOrEqual(box.y + box.height);
    }
  });

  it("never overlaps two assets or two group boxes, even at 2,000 assets", () => {
    const input = syntheticGraph(2_000, 12);
    const layout = layoutGraph(input);
    expect(layout.positions.size).toBe(2_000);
    const seen = new Set<string>();
    for (const p of layout.positions.values()) {
      const cell = `${p.x}:${p.y}`;
      expect(seen.has(cell)).toBe(false); // nodes share a grid, so overlap means same cell
      seen.add(cell);
    }
    const boxes = layout.groups.map((g) => ({ x: g.x, y: g.y, w: g.width, h: g.height }));
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) expect(overlaps(boxes[i]!, boxes[j]!)).toBe(false);
    for (const e of input.edges)
      expect(layout.positions.get(e.to)!.x).toBeGreaterThan(layout.positions.get(e.from)!.x);
  });

  it("orders a column after its parents so that parallel chains do not cross", () => {
    const layout = layoutGraph({
      nodes: [
        { key: "a", group: "g" },
        { key: "b", group: "g" },
        { key: "b2", group: "g" },
        { key: "a2", group: "g" },
      ],
      edges: [
        { from: "a", to: "a2" },
        { from: "b", to: "b2" },
      ],
    });
    const y = (k: string) => layout.positions.get(k)!.y;
    expect(y("a") < y("b")).toBe(y("a2") < y("b2"));
  });

  it("is deterministic", () => {
    const input = syntheticGraph(300, 5);
    expect([...layoutGraph(input).positions]).toEqual([...layoutGraph(input).positions]);
  });
});

/** mulberry32: a small seeded PRNG, so that failures can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random DAG listed in topological order, with groups, long edges and collapsed groups. */
function randomGraph(seed: number): LayoutInput {
  const random = prng(seed);
  const n = 5 + Math.floor(random() * 296);
  const groupCount = 1 + Math.floor(random() * 8);
  const nodes: { key: string; group: string }[] = [];
  const edges: { from: string; to: string }[] = [];
  for (let i = 0; i < n; i++) {
    const parents = new Set<number>();
    const wanted = i === 0 ? 0 : Math.floor(random() * 4);
    for (let k = 0; k < wanted; k++) {
      // Mostly recent nodes (short edges), sometimes anything before (long edges).
      const j =
        random() < 0.6 ? Math.max(0, i - 1 - Math.floor(random() * 8)) : Math.floor(random() * i);
      parents.add(j);
    }
    const first = [...parents][0];
    const group =
      first !== undefined && random() < 0.7
        ? nodes[first]!.group
        : `g${Math.floor(random() * groupCount)}`;
    nodes.push({ key: `n${i}`, group });
    for (const j of parents) edges.push({ from: `n${j}`, to: `n${i}` });
  }
  if (random() < 0.2)
    edges.push(edges[Math.floor(random() * edges.length)] ?? { from: "n0", to: "n0" });
  const collapsed = new Set<string>();
  if (random() < 0.5)
    for (let g = 0; g < groupCount; g++) if (random() < 0.4) collapsed.add(`g${g}`);
  return { nodes, edges, collapsed };
}

/** No node is taller (bisection bound when looking for boxes near a point). */
const TALLEST = Math.max(NODE_HEIGHT, GROUP_NODE_HEIGHT);

interface Box {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

function boxesOf(layout: Layout): Box[] {
  return [...layout.positions].map(([id, p]) => {
    const size = layout.sizes.get(id)!;
    return { id, x: p.x, y: p.y, w: size.width, h: size.height };
  });
}

type Piece =
  | { readonly kind: "line"; readonly from: Pt; readonly to: Pt }
  | { readonly kind: "cubic"; readonly hull: readonly [Pt, Pt, Pt, Pt] };
type Pt = { readonly x: number; readonly y: number };

/** Points along a cubic, about 1 px apart (its control polygon is longer than the curve). */
function sampleCubic([p0, c1, c2, p3]: readonly [Pt, Pt, Pt, Pt]): Pt[] {
  const length =
    Math.hypot(c1.x - p0.x, c1.y - p0.y) +
    Math.hypot(c2.x - c1.x, c2.y - c1.y) +
    Math.hypot(p3.x - c2.x, p3.y - c2.y);
  const steps = Math.max(16, Math.ceil(length));
  const points: Pt[] = [];
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    const u = 1 - t;
    const [a, b, c, d] = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
    points.push({
      x: a * p0.x + b * c1.x + c * c2.x + d * p3.x,
      y: a * p0.y + b * c1.y + c * c2.y + d * p3.y,
    });
  }
  return points;
}

/**
 * The pieces of an SVG path made of M, L and C commands (what the page draws): straight lines,
 * checked exactly, and cubics, sampled by `sampleCubic`.
 */
function parsePath(path: string): { start: Pt; end: Pt; pieces: Piece[] } {
  const tokens = path.trim().split(/\s+/);
  const pieces: Piece[] = [];
  let at: Pt = { x: NaN, y: NaN };
  let start: Pt | undefined;
  for (let i = 0; i < tokens.length;) {
    const command = tokens[i++];
    const read = (): Pt => ({ x: Number(tokens[i++]), y: Number(tokens[i++]) });
    if (command === "M" && !start) {
      at = read();
      start = at;
    } else if (command === "L") {
      const to = read();
      pieces.push({ kind: "line", from: at, to });
      at = to;
    } else if (command === "C") {
      const [c1, c2, to] = [read(), read(), read()];
      pieces.push({ kind: "cubic", hull: [at, c1, c2, to] });
      at = to;
    } else throw new Error(`unexpected path command ${command} in ${path}`);
  }
  return { start: start!, end: at, pieces };
}

/** Checks the geometry guarantee; returns the problems found (empty when the layout is right). */
function geometryProblems(input: LayoutInput, layout: Layout): string[] {
  const problems: string[] = [];
  const collapsed = input.collapsed ?? new Set<string>();
  const visible = new Map(
    input.nodes.map((n) => [n.key, collapsed.has(n.group) ? groupNodeId(n.group) : n.key]),
  );
  for (const id of new Set(visible.values()))
    if (!layout.positions.has(id)) problems.push(`${id} has no position`);
  if (layout.positions.size !== new Set(visible.values()).size)
    problems.push(`${layout.positions.size} positions for ${new Set(visible.values()).size} nodes`);
  for (const [id, size] of layout.sizes) {
    const group = id.startsWith("group:") && !visible.has(id);
    const expected = group ? [GROUP_NODE_WIDTH, GROUP_NODE_HEIGHT] : [NODE_WIDTH, NODE_HEIGHT];
    if (size.width !== expected[0] || size.height !== expected[1]) problems.push(`${id} size`);
  }

  // Exactly one route per visible pair, counting the asset edges it stands for.
  const expected = new Map<string, number>();
  for (const e of input.edges) {
    const from = visible.get(e.from)!;
    const to = visible.get(e.to)!;
    if (from !== to) expected.set(`${from}->${to}`, (expected.get(`${from}->${to}`) ?? 0) + 1);
  }
  const routed = new Map<string, number>();
  for (const e of layout.edges) {
    if (routed.has(e.id)) problems.push(`two routes for ${e.id}`);
    routed.set(e.id, e.count);
    if (e.id !== `${e.from}->${e.to}`) problems.push(`route id ${e.id} for ${e.from} -> ${e.to}`);
  }
  for (const [id, count] of expected)
    if (routed.get(id) !== count)
      problems.push(`${id}: ${routed.get(id)} routed, ${count} expected`);
  for (const id of routed.keys()) if (!expected.has(id)) problems.push(`unexpected route ${id}`);

  // Boxes never overlap. Strips 100 px wide, each sorted by y, find the boxes near a point.
  const boxes = boxesOf(layout);
  const STRIP = 100;
  const strips = new Map<number, Box[]>();
  for (const b of boxes)
    for (let sx = Math.floor(b.x / STRIP); sx <= Math.floor((b.x + b.w) / STRIP); sx++) {
      const strip = strips.get(sx) ?? [];
      strip.push(b);
      strips.set(sx, strip);
    }
  const overlapping = new Set<string>();
  for (const strip of strips.values()) {
    strip.sort((a, b) => a.y - b.y);
    for (let i = 0; i < strip.length; i++)
      for (let j = i + 1; j < strip.length && strip[j]!.y < strip[i]!.y + strip[i]!.h; j++)
        if (overlaps(strip[i]!, strip[j]!))
          overlapping.add(`${strip[i]!.id} overlaps ${strip[j]!.id}`);
  }
  problems.push(...overlapping);
  const inside = (p: Pt, b: Box) =>
    p.x > b.x + 1 && p.x < b.x + b.w - 1 && p.y > b.y + 1 && p.y < b.y + b.h - 1;
  const near = (a: Pt, b: Pt) => Math.abs(a.x - b.x) < 0.01 && Math.abs(a.y - b.y) < 0.01;
  const byId = new Map(boxes.map((b) => [b.id, b]));
  /** A box the rectangle enters by more than 1 px. */
  const rectangleHit = (x0: number, x1: number, y0: number, y1: number) => {
    for (let sx = Math.floor(x0 / STRIP); sx <= Math.floor(x1 / STRIP); sx++) {
      const strip = strips.get(sx) ?? [];
      let lo = 0; // first box whose top is below y1 - 1 … found by bisection on y + tallest box
      let hi = strip.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (strip[mid]!.y + TALLEST <= y0) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < strip.length && strip[i]!.y < y1 - 1; i++) {
        const box = strip[i]!;
        if (x0 < box.x + box.w - 1 && x1 > box.x + 1 && y0 < box.y + box.h - 1 && y1 > box.y + 1)
          return box;
      }
    }
    return undefined;
  };
  /** The bounding box of the points (exact for a straight line; a cubic lies in its hull's). */
  const boundsHit = (points: readonly Pt[]) => {
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const p of points) {
      x0 = Math.min(x0, p.x);
      x1 = Math.max(x1, p.x);
      y0 = Math.min(y0, p.y);
      y1 = Math.max(y1, p.y);
    }
    return rectangleHit(x0, x1, y0, y1);
  };
  for (const e of layout.edges) {
    const from = byId.get(e.from);
    const to = byId.get(e.to);
    if (!from || !to) continue;
    const path = parsePath(routePath(e.points));
    if (!near(path.start, { x: from.x + from.w, y: from.y + from.h / 2 }))
      problems.push(`${e.id} does not start on the middle of its source's right side`);
    if (!near(path.end, { x: to.x, y: to.y + to.h / 2 }))
      problems.push(`${e.id} does not end on the middle of its target's left side`);
    for (const piece of path.pieces) {
      if (piece.kind === "line") {
        if (piece.from.y !== piece.to.y) problems.push(`${e.id} has a slanted line`);
        const hit = boundsHit([piece.from, piece.to]);
        if (hit) problems.push(`${e.id} goes through ${hit.id} at y ${piece.from.y}`);
        continue;
      }
      // A cubic lies inside its control points' hull: sample it only when a box is that near.
      if (!boundsHit(piece.hull)) continue;
      for (const p of sampleCubic(piece.hull)) {
        const hit = rectangleHit(p.x, p.x, p.y, p.y);
        if (hit && inside(p, hit)) {
          problems.push(`${e.id} goes through ${hit.id} at ${p.x.toFixed(1)},${p.y.toFixed(1)}`);
          break;
        }
      }
    }
  }
  return problems;
}

describe("routed edges", () => {
  it("route every edge from its source's right side to its target's left side around other boxes, on random graphs", () => {
    let collapsedGraphs = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const input = randomGraph(seed);
      if ((input.collapsed?.size ?? 0) > 0) collapsedGraphs++;
      const problems = geometryProblems(input, layoutGraph(input));
      expect(problems.slice(0, 5), `seed ${seed}`).toEqual([]);
    }
    expect(collapsedGraphs).toBeGreaterThan(50);
  });

  it("routes an edge that skips a column around the box in between (the demo's reference data)", () => {
    const input: LayoutInput = {
      nodes: [
        { key: "raw/sirene", group: "referentiels" },
        { key: "raw/naf", group: "referentiels" },
        { key: "raw/cog", group: "referentiels" },
        { key: "emploi/dim_naf", group: "referentiels" },
        { key: "emploi/departement", group: "referentiels" },
        { key: "emploi/dim_lieu", group: "referentiels" },
        { key: "emploi/dim_entreprise", group: "referentiels" },
      ],
      edges: [
        { from: "raw/naf", to: "emploi/dim_naf" },
        { from: "raw/cog", to: "emploi/departement" },
        { from: "emploi/departement", to: "emploi/dim_lieu" },
        { from: "raw/cog", to: "emploi/dim_lieu" },
        { from: "emploi/dim_naf", to: "emploi/dim_entreprise" },
        { from: "raw/sirene", to: "emploi/dim_entreprise" },
      ],
    };
    const layout = layoutGraph(input);
    expect(geometryProblems(input, layout)).toEqual([]);
    const sirene = layout.edges.find((e) => e.id === "raw/sirene->emploi/dim_entreprise")!;
    // One dummy column crossed: start, enter, leave, end.
    expect(sirene.points).toHaveLength(4);
  });

  it("draws a collapsed group as one node and aggregates its edges", () => {
    const input: LayoutInput = {
      nodes: [
        { key: "raw/a", group: "collecte" },
        { key: "raw/b", group: "collecte" },
        { key: "stg/a", group: "staging" },
        { key: "stg/b", group: "staging" },
        { key: "mart/x", group: "marts" },
      ],
      edges: [
        { from: "raw/a", to: "stg/a" },
        { from: "raw/b", to: "stg/b" },
        { from: "stg/a", to: "stg/b" },
        { from: "stg/a", to: "mart/x" },
        { from: "stg/b", to: "mart/x" },
      ],
      collapsed: new Set(["staging"]),
    };
    const layout = layoutGraph(input);
    expect(geometryProblems(input, layout)).toEqual([]);
    expect([...layout.positions.keys()].sort()).toEqual([
      "group:staging",
      "mart/x",
      "raw/a",
      "raw/b",
    ]);
    expect(layout.sizes.get("group:staging")).toEqual({
      width: GROUP_NODE_WIDTH,
      height: GROUP_NODE_HEIGHT,
    });
    expect(layout.groups.map((g) => g.group).sort()).toEqual(["collecte", "marts"]);
    expect(layout.edges.map((e) => [e.id, e.count]).sort()).toEqual([
      ["group:staging->mart/x", 2],
      ["raw/a->group:staging", 1],
      ["raw/b->group:staging", 1],
    ]);
  });

  it("routes an edge of a cycle closed by a collapsed group backwards, around the boxes", () => {
    // a -> x (collapsed) -> b and b -> y (collapsed) -> ... : a -> G -> b -> G.
    const input: LayoutInput = {
      nodes: [
        { key: "a", group: "left" },
        { key: "x1", group: "G" },
        { key: "b", group: "left" },
        { key: "x2", group: "G" },
        { key: "c", group: "right" },
      ],
      edges: [
        { from: "a", to: "x1" },
        { from: "x1", to: "b" },
        { from: "b", to: "x2" },
        { from: "x2", to: "c" },
        { from: "a", to: "c" },
      ],
      collapsed: new Set(["G"]),
    };
    const layout = layoutGraph(input);
    expect(geometryProblems(input, layout)).toEqual([]);
    const x = (id: string) => layout.positions.get(id)!.x;
    const backwards = layout.edges.filter((e) => x(e.to) <= x(e.from));
    expect(backwards).toHaveLength(1);
  });

  it("wraps the overview of many collapsed groups into a grid of rows, routes around every box", () => {
    // 2,000 assets in 15 groups whose edges go both ways between most groups, all collapsed.
    for (const groups of [15, 9]) {
      const input = denseGroups(groups, 40);
      const collapsed: LayoutInput = {
        ...input,
        collapsed: new Set(input.nodes.map((n) => n.group)),
      };
      const layout = layoutGraph(collapsed);
      expect(layout.positions.size).toBe(groups);
      expect(geometryProblems(collapsed, layout).slice(0, 5)).toEqual([]);
      const xs = new Set([...layout.positions.values()].map((p) => p.x));
      const ys = new Set([...layout.positions.values()].map((p) => p.y));
      expect(xs.size).toBe(overviewColumns(groups));
      expect(ys.size).toBe(Math.ceil(groups / overviewColumns(groups)));
      expect(layout.width).toBeLessThan(layout.height * 3);
    }
  });

  it("keeps a short chain of collapsed groups in one row", () => {
    const input: LayoutInput = {
      nodes: ["a", "b", "c"].map((g) => ({ key: `${g}/x`, group: g })),
      edges: [
        { from: "a/x", to: "b/x" },
        { from: "b/x", to: "c/x" },
      ],
      collapsed: new Set(["a", "b", "c"]),
    };
    const layout = layoutGraph(input);
    expect(new Set([...layout.positions.values()].map((p) => p.y)).size).toBe(1);
    expect(geometryProblems(input, layout)).toEqual([]);
  });
});
