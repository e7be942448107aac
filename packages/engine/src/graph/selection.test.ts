import { describe, expect, it } from "vitest";
import { SelectionError, UnknownAssetError } from "../errors";
import { AssetGraph } from "./asset-graph";
import { resolveSelection } from "./selection";

/**
 *   raw/a ──► staging/a ──► marts/m
 *     └──────► staging/ab ──┘
 *   raw/b ──────┘
 *   raw/sub/c            other
 */
const graph = AssetGraph.build([
  { key: "marts/m", deps: ["staging/a", "staging/ab"], group: "marts", tags: { tier: "gold" } },
  { key: "staging/ab", deps: ["raw/a", "raw/b"], group: "staging", tags: {} },
  { key: "staging/a", deps: ["raw/a"], group: "staging", tags: { tier: "silver" } },
  { key: "raw/sub/c", deps: [], group: "ingest", tags: {} },
  { key: "raw/b", deps: [], group: "ingest", tags: { source: "insee" } },
  { key: "raw/a", deps: [], group: "ingest", tags: { source: "ft", tier: "bronze" } },
  { key: "other", deps: [], group: "misc", tags: { note: "a=b" } },
]);

const ALL = ["other", "raw/a", "raw/b", "raw/sub/c", "staging/a", "staging/ab", "marts/m"];

function errorOf(selection: string): unknown {
  try {
    resolveSelection(graph, selection);
  } catch (error) {
    return error;
  }
  throw new Error(`expected selection ${JSON.stringify(selection)} to fail`);
}

function expectSelectionError(selection: string, fragment: string): void {
  const error = errorOf(selection);
  expect(error).toBeInstanceOf(SelectionError);
  expect((error as SelectionError).code).toBe("INVALID_SELECTION");
  expect((error as SelectionError).message).toContain(fragment);
}

describe("resolveSelection", () => {
  it("sanity: the fixture's topological order", () => {
    expect(graph.topologicalOrder()).toEqual(ALL);
  });

  it("selects one asset by key", () => {
    expect(resolveSelection(graph, "staging/a")).toEqual(["staging/a"]);
    expect(resolveSelection(graph, "raw/sub/c")).toEqual(["raw/sub/c"]);
  });

  it("+key adds everything upstream", () => {
    expect(resolveSelection(graph, "+staging/a")).toEqual(["raw/a", "staging/a"]);
    expect(resolveSelection(graph, "+marts/m")).toEqual([
      "raw/a",
      "raw/b",
      "staging/a",
      "staging/ab",
      "marts/m",
    ]);
    expect(resolveSelection(graph, "+raw/a")).toEqual(["raw/a"]);
  });

  it("key+ adds everything downstream", () => {
    expect(resolveSelection(graph, "staging/a+")).toEqual(["staging/a", "marts/m"]);
    expect(resolveSelection(graph, "raw/b+")).toEqual(["raw/b", "staging/ab", "marts/m"]);
    expect(resolveSelection(graph, "marts/m+")).toEqual(["marts/m"]);
  });

  it("+key+ adds both directions, but not siblings", () => {
    // raw/b feeds marts/m through staging/ab, but it is neither upstream nor downstream of staging/a.
    expect(resolveSelection(graph, "+staging/a+")).toEqual(["raw/a", "staging/a", "marts/m"]);
  });

  it("group:NAME selects a group", () => {
    expect(resolveSelection(graph, "group:ingest")).toEqual(["raw/a", "raw/b", "raw/sub/c"]);
    expect(resolveSelection(graph, "group:marts")).toEqual(["marts/m"]);
  });

  it("tag:K=V selects by tag value, tag:K by tag presence", () => {
    expect(resolveSelection(graph, "tag:tier=gold")).toEqual(["marts/m"]);
    expect(resolveSelection(graph, "tag:source=ft")).toEqual(["raw/a"]);
    expect(resolveSelection(graph, "tag:tier")).toEqual(["raw/a", "staging/a", "marts/m"]);
    expect(resolveSelection(graph, "tag:source")).toEqual(["raw/a", "raw/b"]);
    // Only the first "=" separates the name from the value.
    expect(resolveSelection(graph, "tag:note=a=b")).toEqual(["other"]);
  });

  it("does not treat inherited object properties as tags", () => {
    expectSelectionError("tag:toString", "no asset has that tag");
    expectSelectionError("tag:constructor", "no asset has that tag");
  });

  it("* matches within a segment, ** across segments", () => {
    expect(resolveSelection(graph, "raw/*")).toEqual(["raw/a", "raw/b"]);
    expect(resolveSelection(graph, "raw/**")).toEqual(["raw/a", "raw/b", "raw/sub/c"]);
    expect(resolveSelection(graph, "*/a")).toEqual(["raw/a", "staging/a"]);
    expect(resolveSelection(graph, "staging/a*")).toEqual(["staging/a", "staging/ab"]);
    expect(resolveSelection(graph, "**/c")).toEqual(["raw/sub/c"]);
  });

  it("* alone selects everything", () => {
    expect(resolveSelection(graph, "*")).toEqual(ALL);
  });

  it("combines globs with + ", () => {
    expect(resolveSelection(graph, "raw/*+")).toEqual([
      "raw/a",
      "raw/b",
      "staging/a",
      "staging/ab",
      "marts/m",
    ]);
    expect(resolveSelection(graph, "+staging/*")).toEqual([
      "raw/a",
      "raw/b",
      "staging/a",
      "staging/ab",
    ]);
  });

  it("treats regular-expression characters in globs literally", () => {
    const g = AssetGraph.build([
      { key: "v1.0/x", deps: [], group: "g", tags: {} },
      { key: "v100/x", deps: [], group: "g", tags: {} },
    ]);
    expect(resolveSelection(g, "v1.0/*")).toEqual(["v1.0/x"]);
  });

  it("unions comma-separated clauses, in topological order, without duplicates", () => {
    expect(resolveSelection(graph, "marts/m,raw/b")).toEqual(["raw/b", "marts/m"]);
    expect(resolveSelection(graph, "staging/a+,group:ingest,raw/a")).toEqual([
      "raw/a",
      "raw/b",
      "raw/sub/c",
      "staging/a",
      "marts/m",
    ]);
  });

  it("ignores whitespace around clauses", () => {
    expect(resolveSelection(graph, "  marts/m ,  raw/b ")).toEqual(["raw/b", "marts/m"]);
  });

  it("throws SelectionError for an empty item in a comma list (a typo, not a wish)", () => {
    expectSelectionError("raw/a,,raw/b", "empty item");
    expectSelectionError("raw/a,", "empty item");
    expectSelectionError(",raw/a", "empty item");
    expectSelectionError("raw/a, ,raw/b", "empty item");
  });

  it("throws UnknownAssetError for an unknown key, with or without +", () => {
    for (const selection of ["nope", "+nope", "nope+", "raw/a,nope", "raw"]) {
      const error = errorOf(selection);
      expect(error, selection).toBeInstanceOf(UnknownAssetError);
      expect((error as UnknownAssetError).code).toBe("UNKNOWN_ASSET");
    }
    expect((errorOf("+nope+") as UnknownAssetError).assetKey).toBe("nope");
    expect((errorOf("nope") as UnknownAssetError).message).toBe(`Unknown asset "nope"`);
  });

  it("throws SelectionError for an empty group, tag or glob", () => {
    expectSelectionError("group:none", `no asset in group "none"`);
    expectSelectionError("group:", "no asset in group");
    expectSelectionError("tag:tier=platinum", "no asset has that tag");
    expectSelectionError("tag:missing", "no asset has that tag");
    expectSelectionError("tag:", "expected tag:KEY=VALUE");
    expectSelectionError("tag:=gold", "expected tag:KEY=VALUE");
    expectSelectionError("nothing/*", "matches no asset");
    expectSelectionError("raw/*/*/*", "matches no asset");
  });

  it("throws SelectionError for an empty selection or a clause that names nothing", () => {
    expectSelectionError("", "empty selection");
    expectSelectionError("   ", "empty selection");
    expectSelectionError(" , ,", "empty selection");
    expectSelectionError("+", "names no asset");
    expectSelectionError("++", "names no asset");
  });
});
