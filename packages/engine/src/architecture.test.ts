import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The engine's layering, checked on the source itself: folders (`definitions/`, `graph/`, …)
 * must not import each other in a cycle, `definitions/` sits at the bottom, and the pure core
 * never reaches for I/O. Test files are left out: a unit test may use whatever it needs.
 */

const SRC = path.dirname(fileURLToPath(import.meta.url));

/**
 * The bottom layers and what each may import (type-only imports included). `partitions/` and
 * `graph/` know nothing of assets but their keys; `definitions/` builds on them (a Definitions
 * owns its AssetGraph) and on nothing above: schedules, sensors and their validation are
 * declared there, their evaluation lives in `automation/`.
 */
const BOTTOM_LAYERS: Readonly<Record<string, readonly string[]>> = {
  errors: [],
  util: [],
  partitions: ["errors"],
  graph: ["errors"],
  definitions: ["errors", "util", "partitions", "graph"],
};

/** Pure: no database, no network, no process. */
const PURE_CORE = ["definitions", "partitions", "graph", "status", "planning"];

/** Where I/O lives. */
const IO = ["storage", "server", "cli", "queue", "runtime", "execution"];

/**
 * Type-only imports that still close a folder cycle, each with why it is tolerated. Erased at
 * compile time, they cannot break module loading, but they tie two folders together: the test
 * fails when a new one appears, and when one listed here is gone (then delete its line). None
 * today: the event record, the concurrency limits and the storage summary are declared below
 * the folders that use them.
 */
const TOLERATED_TYPE_EDGES: Readonly<Record<string, string>> = {};

/** One import of one engine file by another. */
interface ImportEdge {
  readonly from: string;
  readonly to: string;
  /** `import type`, `export type`, or every named binding marked `type`: erased at run time. */
  readonly typeOnly: boolean;
}

/** Every source file under `root`, relative to it, tests excluded. */
function sourceFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .map((f) => f.split(path.sep).join("/"))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".d.ts"))
    .sort();
}

/** The folder a file belongs to; a file at the root (`errors.ts`) is its own folder (`errors`). */
function folderOf(file: string): string {
  const slash = file.indexOf("/");
  return slash === -1 ? file.replace(/\.ts$/, "") : file.slice(0, slash);
}

/** The relative imports (and re-exports) of one file, resolved to paths under the engine's src. */
function importsOf(file: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const edges: ImportEdge[] = [];
  const add = (specifier: string, typeOnly: boolean): void => {
    if (!specifier.startsWith(".")) return;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
    const resolved = /\.ts$/.test(target) ? target : `${target}.ts`;
    edges.push({ from: file, to: resolved, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, isTypeOnlyImport(node));
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, isTypeOnlyExport(node));
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // a side-effect import runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return (
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((e) => e.isTypeOnly)
  );
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return (
    clause !== undefined &&
    ts.isNamedExports(clause) &&
    clause.elements.length > 0 &&
    clause.elements.every((e) => e.isTypeOnly)
  );
}

/** Folder-level edges (`from` folder → `to` folder), each with the file imports behind it. */
function folderGraph(edges: readonly ImportEdge[]): Map<string, Map<string, ImportEdge[]>> {
  const graph = new Map<string, Map<string, ImportEdge[]>>();
  for (const edge of edges) {
    const from = folderOf(edge.from);
    const to = folderOf(edge.to);
    if (from === to) continue;
    const targets = graph.get(from) ?? new Map<string, ImportEdge[]>();
    graph.set(from, targets);
    targets.set(to, [...(targets.get(to) ?? []), edge]);
  }
  return graph;
}

/** The strongly connected components with more than one folder: each one is an import cycle. */
function folderCycles(graph: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[][] {
  // Tarjan's algorithm; folders are few, recursion depth is no concern.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return cycles;
}

/** The edges of a cycle, in words: "definitions → automation (definitions/definitions.ts → …)". */
function describeCycle(
  graph: ReadonlyMap<string, ReadonlyMap<string, readonly ImportEdge[]>>,
  members: readonly string[],
): string {
  const lines: string[] = [];
  for (const from of members) {
    for (const [to, edges] of graph.get(from) ?? []) {
      if (!members.includes(to)) continue;
      const example = edges[0]!;
      lines.push(`${from} → ${to} (${example.from} imports ${example.to})`);
    }
  }
  return lines.join("\n");
}

function engineImports(): ImportEdge[] {
  // index.ts is the public surface: it re-exports every folder, and nothing imports it.
  return sourceFiles(SRC)
    .filter((file) => file !== "index.ts")
    .flatMap((file) => importsOf(file, readFileSync(path.join(SRC, file), "utf8")));
}

describe("engine layering", () => {
  const edges = engineImports();

  it("resolves every relative import to an engine file", () => {
    const files = new Set(sourceFiles(SRC));
    expect(edges.filter((e) => !files.has(e.to))).toEqual([]);
  });

  it("has no import cycle between folders at run time", () => {
    const graph = folderGraph(edges.filter((e) => !e.typeOnly));
    expect(folderCycles(graph).map((members) => describeCycle(graph, members))).toEqual([]);
  });

  it("has no import cycle between folders through types, but for the tolerated edges", () => {
    const graph = folderGraph(edges);
    const typeOnly = (key: string): boolean => {
      const [from, to] = key.split(" → ") as [string, string];
      return (graph.get(from)?.get(to) ?? []).every((e) => e.typeOnly);
    };
    const tolerated = Object.keys(TOLERATED_TYPE_EDGES);
    expect(tolerated.filter((key) => !edgeExists(graph, key) || !typeOnly(key))).toEqual([]);
    const rest = withoutEdges(graph, tolerated);
    expect(folderCycles(rest).map((members) => describeCycle(rest, members))).toEqual([]);
  });

  it("keeps the bottom layers (errors, util, partitions, graph, definitions) at the bottom", () => {
    const upward = edges
      .filter((e) => {
        const from = folderOf(e.from);
        const allowed = BOTTOM_LAYERS[from];
        const to = folderOf(e.to);
        return allowed !== undefined && to !== from && !allowed.includes(to);
      })
      .map((e) => `${e.from} imports ${e.to}`);
    expect(upward).toEqual([]);
  });

  it("keeps the pure core free of I/O code", () => {
    // Type-only imports are erased: the core may name a record shape declared next to the
    // Storage interface (AssetStorageSummary) without loading storage.
    const impure = edges
      .filter((e) => !e.typeOnly)
      .filter((e) => PURE_CORE.includes(folderOf(e.from)) && IO.includes(folderOf(e.to)))
      .map((e) => `${e.from} imports ${e.to}`);
    expect(impure).toEqual([]);
  });
});

function edgeExists(
  graph: ReadonlyMap<string, ReadonlyMap<string, unknown>>,
  key: string,
): boolean {
  const [from, to] = key.split(" → ") as [string, string];
  return graph.get(from)?.has(to) ?? false;
}

function withoutEdges<E>(
  graph: ReadonlyMap<string, ReadonlyMap<string, E>>,
  keys: readonly string[],
): Map<string, Map<string, E>> {
  const out = new Map<string, Map<string, E>>();
  for (const [from, targets] of graph) {
    out.set(from, new Map([...targets].filter(([to]) => !keys.includes(`${from} → ${to}`))));
  }
  return out;
}

describe("the cycle finder", () => {
  const edge = (from: string, to: string): ImportEdge => ({ from, to, typeOnly: false });

  it("finds a cycle through three folders and names its edges", () => {
    const graph = folderGraph([
      edge("a/x.ts", "b/y.ts"),
      edge("b/y.ts", "c/z.ts"),
      edge("c/z.ts", "a/w.ts"),
      edge("c/z.ts", "errors.ts"),
    ]);
    expect(folderCycles(graph)).toEqual([["a", "b", "c"]]);
    expect(describeCycle(graph, ["a", "b", "c"])).toContain("c → a (c/z.ts imports a/w.ts)");
  });

  it("ignores imports inside one folder and a layered graph", () => {
    const graph = folderGraph([
      edge("a/x.ts", "a/y.ts"),
      edge("a/y.ts", "a/x.ts"),
      edge("b/y.ts", "a/x.ts"),
      edge("c/z.ts", "b/y.ts"),
      edge("c/z.ts", "a/x.ts"),
    ]);
    expect(folderCycles(graph)).toEqual([]);
  });

  it("reads type-only imports, re-exports and dynamic imports", () => {
    const text = [
      'import type { A } from "../a/a";',
      'import { type B, type C } from "../b/b";',
      'import { d, type E } from "../d/d";',
      'export type { F } from "./f";',
      'export { g } from "../g/g";',
      'const h = () => import("../h/h");',
      'let i: import("../i/i").I;',
      'import { readFileSync } from "node:fs";',
    ].join("\n");
    expect(importsOf("x/file.ts", text)).toEqual([
      { from: "x/file.ts", to: "a/a.ts", typeOnly: true },
      { from: "x/file.ts", to: "b/b.ts", typeOnly: true },
      { from: "x/file.ts", to: "d/d.ts", typeOnly: false },
      { from: "x/file.ts", to: "x/f.ts", typeOnly: true },
      { from: "x/file.ts", to: "g/g.ts", typeOnly: false },
      { from: "x/file.ts", to: "h/h.ts", typeOnly: false },
      { from: "x/file.ts", to: "i/i.ts", typeOnly: true },
    ]);
  });
});
