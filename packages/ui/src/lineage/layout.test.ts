import { describe, expect, it } from "vitest";
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH, type LayoutInput } from "./layout";

const overlaps = (
  a: { x: number; y: number; w: number; h: number },
  b: { x: number; y: number; w: number; h: number },
) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

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
