import { describe, expect, it } from "vitest";
import { layoutGraph, type LayoutInput } from "./layout";
import {
  fromPlain,
  layoutKey,
  readCachedLayout,
  toPlain,
  writeCachedLayout,
  type CacheStorage,
  type PlainLayout,
} from "./layout-cache";
import { answer } from "./layout-worker";
import { loadLayout } from "./use-layout";

/** An in-memory Storage (Node has no localStorage), optionally limited like a full quota. */
function memoryStorage(quota = Infinity): CacheStorage & { readonly items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      const used = [...items].reduce((n, [k, v]) => n + (k === key ? 0 : v.length), 0);
      if (used + value.length > quota) throw new DOMException("full", "QuotaExceededError");
      items.set(key, value);
    },
    removeItem: (key) => void items.delete(key),
  };
}

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
    { from: "raw/a", to: "mart/x" },
    { from: "stg/a", to: "mart/x" },
    { from: "stg/b", to: "mart/x" },
  ],
};

describe("layout cache", () => {
  it("keys a layout by the graph's shape only", () => {
    const key = layoutKey(input);
    const withStatus = {
      ...input,
      nodes: input.nodes.map((n) => ({ ...n, status: "FRESH" })),
    };
    expect(layoutKey(withStatus)).toBe(key);
    expect(layoutKey({ ...input, edges: input.edges.slice(1) })).not.toBe(key);
    expect(
      layoutKey({ ...input, nodes: input.nodes.map((n, i) => (i ? n : { ...n, group: "x" })) }),
    ).not.toBe(key);
    // "ab"+"c" and "a"+"bc" are different shapes.
    expect(layoutKey({ nodes: [{ key: "ab", group: "c" }], edges: [] })).not.toBe(
      layoutKey({ nodes: [{ key: "a", group: "bc" }], edges: [] }),
    );
    const collapsed = layoutKey({ ...input, collapsed: new Set(["staging", "marts"]) });
    expect(collapsed).not.toBe(key);
    expect(layoutKey({ ...input, collapsed: new Set(["marts", "staging"]) })).toBe(collapsed);
  });

  it("stores layouts as plain JSON and gives them back whole", () => {
    const layout = layoutGraph({ ...input, collapsed: new Set(["staging"]) });
    const json = JSON.stringify(toPlain(layout));
    expect(fromPlain(JSON.parse(json) as PlainLayout)).toEqual(layout);
    const storage = memoryStorage();
    writeCachedLayout("k", json, storage);
    expect(readCachedLayout("k", storage)).toEqual(layout);
    expect(readCachedLayout("other", storage)).toBeUndefined();
  });

  it("evicts the least recently used layouts to stay under its cap", () => {
    const storage = memoryStorage();
    const json = (width: number) => JSON.stringify({ ...toPlain(layoutGraph(input)), width });
    const size = json(1).length;
    writeCachedLayout("a", json(1), storage, size * 2);
    writeCachedLayout("b", json(2), storage, size * 2);
    expect(readCachedLayout("a", storage)?.width).toBe(1); // "a" is now the most recent
    writeCachedLayout("c", json(3), storage, size * 2);
    expect(readCachedLayout("b", storage)).toBeUndefined();
    expect(readCachedLayout("a", storage)?.width).toBe(1);
    expect(readCachedLayout("c", storage)?.width).toBe(3);
    // Larger than the whole cap: not stored at all.
    writeCachedLayout("d", json(4).padEnd(size * 3), storage, size * 2);
    expect(readCachedLayout("d", storage)).toBeUndefined();
  });

  it("ignores storage that is full, corrupt or missing", () => {
    const json = JSON.stringify(toPlain(layoutGraph(input)));
    const full = memoryStorage(json.length / 2);
    expect(() => writeCachedLayout("k", json, full)).not.toThrow();
    expect(readCachedLayout("k", full)).toBeUndefined();

    const corrupt = memoryStorage();
    writeCachedLayout("k", json, corrupt);
    for (const key of corrupt.items.keys()) corrupt.items.set(key, "{not json");
    expect(readCachedLayout("k", corrupt)).toBeUndefined();
    writeCachedLayout("k", json, corrupt); // a corrupt index is replaced
    expect(readCachedLayout("k", corrupt)).toEqual(layoutGraph(input));

    // Node has no localStorage: the default storage is none.
    expect(() => writeCachedLayout("k", json)).not.toThrow();
    expect(readCachedLayout("k")).toBeUndefined();
  });

  it("lays out a graph once: the second load comes from the cache", async () => {
    const storage = memoryStorage();
    const first = await loadLayout(input, storage);
    expect(first).toEqual(layoutGraph(input));
    // Mark the cached copy: a second load that laid out again would not see the mark.
    const key = [...storage.items.keys()].find((k) => k.endsWith(layoutKey(input)))!;
    const plain = JSON.parse(storage.items.get(key)!) as PlainLayout;
    storage.items.set(key, JSON.stringify({ ...plain, width: 12_345 }));
    expect((await loadLayout(input, storage)).width).toBe(12_345);
    // Another shape is laid out, not served the cached one.
    const collapsed = await loadLayout({ ...input, collapsed: new Set(["staging"]) }, storage);
    expect(collapsed.positions.has("group:staging")).toBe(true);
  });

  it("answers worker requests with the layout's JSON, and errors as messages", () => {
    const response = answer({ id: 7, nodes: input.nodes, edges: input.edges, collapsed: [] });
    expect(response.id).toBe(7);
    if (!("json" in response)) throw new Error("expected a layout");
    expect(fromPlain(JSON.parse(response.json) as PlainLayout)).toEqual(layoutGraph(input));
    const broken = answer({
      id: 8,
      nodes: null as unknown as LayoutInput["nodes"],
      edges: [],
      collapsed: [],
    });
    expect(broken).toMatchObject({ id: 8, error: expect.any(String) });
  });
});
