import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Whether this process runs the built engine (`dist/*.js`, plain Node.js) rather than its
 * TypeScript sources (tsx, vitest). The built code is bundled into one folder, so paths taken
 * from `import.meta.url` differ between the two: files shipped beside the code (migrations, the
 * UI) are found from the package folder instead.
 */
export const RUNS_BUILT = !/\.[cm]?ts$/.test(fileURLToPath(import.meta.url));

/** The engine package's folder (packages/engine): the nearest one above with its package.json. */
export const ENGINE_DIR = packageDirAbove(path.dirname(fileURLToPath(import.meta.url)));

function packageDirAbove(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && isEngineManifest(manifest)) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no @lignee/engine package.json above ${start}`);
  }
}

function isEngineManifest(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { name?: unknown }).name === "@lignee/engine";
  } catch {
    return false;
  }
}

/** A path inside the engine package, e.g. `engineFile("src/storage/migrations")`. */
export function engineFile(...parts: string[]): string {
  return path.join(ENGINE_DIR, ...parts);
}

/**
 * A data file the engine reads at run time (migrations, scripts), by its path in the sources:
 * there when the engine runs from its sources, its copy in dist (made by each build, see
 * scripts/build-engine.mjs) when it runs built, so that an installed package needs no src/.
 *
 * @example
 * shippedFile("src/storage/migrations", "migrations")
 */
export function shippedFile(source: string, built: string): string {
  return engineFile(RUNS_BUILT ? path.join("dist", built) : source);
}

/**
 * The engine's modules that have a build of their own (entry points of packages/engine/dist),
 * by source path relative to the package: the public API, the wire schemas, the example
 * definitions module (scripts/build-engine.mjs builds the same list).
 */
const BUILT_ENTRIES: Readonly<Record<string, string>> = {
  "src/index.ts": "dist/index.js",
  "src/server/wire.ts": "dist/wire.js",
  "src/examples/example-definitions.ts": "dist/example-definitions.js",
};

/**
 * The module this process runs for an engine source file (absolute path): its build when the
 * engine runs built, the file itself otherwise; undefined for a source file without a build of
 * its own (only reachable through the public API).
 */
export function runningEngineModule(file: string): string | undefined {
  const relative = path.relative(ENGINE_DIR, file).split(path.sep).join("/");
  const built = BUILT_ENTRIES[relative];
  if (built === undefined) return undefined;
  return pathToFileURL(RUNS_BUILT ? engineFile(built) : file).href;
}

/** Whether an absolute path is one of the engine's source files. */
export function isEngineSource(file: string): boolean {
  const relative = path.relative(engineFile("src"), file);
  return !relative.startsWith("..") && !path.isAbsolute(relative);
}

/**
 * The modules a definitions module gets for `@lignee/engine` and `@lignee/engine/wire`: the very
 * ones this process runs, so that there is one engine per process (a second copy would make
 * `instanceof Definitions` fail and keep registries apart).
 */
export function engineEntryUrls(): Readonly<Record<string, string>> {
  return {
    "@lignee/engine": runningEngineModule(engineFile("src/index.ts"))!,
    "@lignee/engine/wire": runningEngineModule(engineFile("src/server/wire.ts"))!,
  };
}
