import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  ASSET_STATUSES,
  BACKFILL_STATUSES,
  everyOf,
  RUN_STATUSES,
  type AssetStatus,
  type BackfillStatus,
  type RunStatus,
} from "./types";

const uiSrc = fileURLToPath(new URL("..", import.meta.url));
const wire = fileURLToPath(new URL("../../../engine/src/server/wire.ts", import.meta.url));

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Every `import … from` / `export … from` statement of a file, with its module specifier. */
function moduleStatements(source: string): { statement: string; from: string }[] {
  const pattern = /^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)";/gms;
  return [...source.matchAll(pattern)].map((m) => ({ statement: m[0], from: m[1] ?? "" }));
}

const typeOnly = (statement: string) => /^(?:import|export) type\b/.test(statement);

// The API's types reach the UI as types only: a value import would put zod and engine code in
// the browser bundle.
describe("the UI's wire contract", () => {
  it("imports nothing but types from the engine", () => {
    const offending = sourcesUnder(uiSrc).flatMap((file) =>
      moduleStatements(readFileSync(file, "utf8"))
        .filter((s) => s.from.includes("engine") && !typeOnly(s.statement))
        .map((s) => `${relative(uiSrc, file)}: ${s.statement}`),
    );
    expect(offending).toEqual([]);
  });

  it("reads a module of types that imports nothing at run time", () => {
    const statements = moduleStatements(readFileSync(wire, "utf8"));
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((s) => !typeOnly(s.statement))).toEqual([]);
  });

  it("lists every status of the API's unions", () => {
    expectTypeOf(RUN_STATUSES).toEqualTypeOf<readonly RunStatus[]>();
    expect(new Set(RUN_STATUSES).size).toBe(5);
    expect(new Set<AssetStatus>(ASSET_STATUSES).size).toBe(5);
    expect(new Set<BackfillStatus>(BACKFILL_STATUSES).size).toBe(5);
  });

  it("refuses at compile time a list that misses a member", () => {
    // @ts-expect-error "b" is missing
    everyOf<"a" | "b">()(["a"]);
    // @ts-expect-error "c" is not a member
    everyOf<"a" | "b">()(["a", "b", "c"]);
    expect(everyOf<"a" | "b">()(["b", "a"])).toEqual(["b", "a"]);
  });
});
