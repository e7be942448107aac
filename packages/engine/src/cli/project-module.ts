import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { OnResolveResult, Plugin } from "esbuild";
import { LigneeError } from "../errors";
import {
  engineEntryUrls,
  isEngineSource,
  runningEngineModule,
  RUNS_BUILT,
} from "../util/engine-files";

/**
 * Imports a project's module (its definitions, its lignee.config.ts) into the CLI.
 *
 * From the engine's sources (tsx, vitest) it is a plain `import`: the loader already running
 * handles TypeScript, and `@lignee/engine` resolves to those very sources. The built CLI runs on
 * plain Node.js: there the module and the project files it imports are compiled into one
 * JavaScript file with esbuild, in which `@lignee/engine` is the built engine this process runs
 * (one engine per process: a second copy would fail `instanceof Definitions`) and the packages
 * stay imports of the project's own node_modules. The compiled file is kept, and compiled again
 * only when one of the files it came from changed: most starts only `stat` them.
 */
export async function importProjectModule(file: string): Promise<Record<string, unknown>> {
  if (!RUNS_BUILT) return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  // The engine's own example definitions: built with the engine.
  const built = runningEngineModule(file);
  if (built !== undefined) return (await import(built)) as Record<string, unknown>;
  const compiled = await compiledModule(file);
  return (await import(pathToFileURL(compiled).href)) as Record<string, unknown>;
}

/** What a compiled module came from: each input's size and modification time. */
interface CompiledInputs {
  readonly engine: string;
  readonly inputs: Readonly<Record<string, readonly [number, number]>>;
}

/** Compiled modules live in the temporary folder, one per user and source module. */
function cachePaths(file: string): { module: string; inputs: string } {
  const dir = path.join(tmpdir(), `lignee-modules-${userInfo().uid}`);
  const key = createHash("sha256").update(file).digest("hex").slice(0, 16);
  const base = path.join(dir, `${path.basename(file).replace(/\.[^.]+$/, "")}-${key}`);
  return { module: `${base}.mjs`, inputs: `${base}.inputs.json` };
}

async function compiledModule(file: string): Promise<string> {
  const cache = cachePaths(file);
  const engine = engineEntryUrls()["@lignee/engine"]!;
  if (await isFresh(cache, engine)) return cache.module;
  const { code, inputs } = await compile(file);
  const record: CompiledInputs = { engine, inputs: await fingerprints(inputs) };
  await mkdir(path.dirname(cache.module), { recursive: true });
  // Written under temporary names and renamed: another CLI starting meanwhile reads whole files.
  await writeAtomically(cache.module, code);
  await writeAtomically(cache.inputs, JSON.stringify(record));
  return cache.module;
}

async function isFresh(cache: { module: string; inputs: string }, engine: string) {
  if (!existsSync(cache.module) || !existsSync(cache.inputs)) return false;
  try {
    const record = JSON.parse(await readFile(cache.inputs, "utf8")) as CompiledInputs;
    if (record.engine !== engine) return false;
    const now = await fingerprints(Object.keys(record.inputs));
    return Object.entries(record.inputs).every(
      ([f, [size, mtime]]) => now[f]?.[0] === size && now[f]?.[1] === mtime,
    );
  } catch {
    return false;
  }
}

async function fingerprints(files: readonly string[]): Promise<Record<string, [number, number]>> {
  const entries = await Promise.all(
    files.map(async (f) => {
      const s = await stat(f).catch(() => undefined);
      return [f, s ? [s.size, s.mtimeMs] : [-1, -1]] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<string, [number, number]>;
}

async function writeAtomically(file: string, contents: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
}

/** One ES module from `file` and the project files it imports; its inputs, absolute. */
async function compile(file: string): Promise<{ code: string; inputs: string[] }> {
  const { build } = await import("esbuild");
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      metafile: true,
      logLevel: "silent",
      absWorkingDir: path.dirname(file),
      plugins: [projectModulePlugin()],
    });
    const code = result.outputFiles[0]!.text;
    const base = path.dirname(file);
    const inputs = Object.keys(result.metafile.inputs).map((f) => path.resolve(base, f));
    return { code, inputs };
  } catch (error) {
    const errors = (
      error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }
    ).errors;
    const why = errors?.length
      ? errors
          .slice(0, 5)
          .map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text))
          .join("\n")
      : (error as Error).message;
    throw new LigneeError("DEFINITION_INVALID", `${file} does not compile:\n${why}`, {
      cause: error,
    });
  }
}

const BUILTINS = new Set(builtinModules);
const IMPORT_META = /\bimport\.meta\.(url|dirname|filename)\b/g;
const SOURCE = /\.(?:[cm]?[jt]s|tsx|jsx)$/;

/**
 * `@lignee/engine` to the running engine; other packages left as imports of the files they
 * resolve to from the importing file (so that they load from the project's node_modules, not
 * the cache folder's); `import.meta.url` (and `dirname`, `filename`) of each project file kept
 * as that file's own, so that paths computed from it still point into the project.
 */
function projectModulePlugin(): Plugin {
  const engine = engineEntryUrls();
  return {
    name: "lignee-project-module",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        const target = engine[args.path];
        if (target) return { path: target, external: true };
        if (args.path.startsWith("node:") || BUILTINS.has(args.path)) return undefined;
        if (args.pluginData === "lignee-resolving" || path.isAbsolute(args.path)) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: "lignee-resolving",
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        // A workspace package's TypeScript sources are compiled in like the project's own.
        if (/\.(?:[cm]?ts|tsx)$/.test(resolved.path)) return engineSource(resolved.path);
        return { path: pathToFileURL(resolved.path).href, external: true };
      });
      build.onResolve({ filter: /^\./ }, (args) =>
        engineSource(path.resolve(args.resolveDir, args.path)),
      );
      build.onLoad({ filter: SOURCE }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = await readFile(args.path, "utf8");
        const contents = source.replace(IMPORT_META, (_, prop: string) =>
          JSON.stringify(
            prop === "url"
              ? pathToFileURL(args.path).href
              : prop === "dirname"
                ? path.dirname(args.path)
                : args.path,
          ),
        );
        return { contents, loader: loaderOf(args.path), resolveDir: path.dirname(args.path) };
      });
    },
  };
}

/**
 * A project file as it is, or, for one of the engine's own source files, the engine this process
 * runs: compiled in, it would be a second engine.
 */
function engineSource(file: string): OnResolveResult | undefined {
  const candidates = [file, `${file}.ts`, path.join(file, "index.ts")];
  const source = candidates.find((f) => isEngineSource(f) && existsSync(f) && !isDirectory(f));
  if (source === undefined) return /\.(?:[cm]?ts|tsx)$/.test(file) ? { path: file } : undefined;
  const running = runningEngineModule(source);
  if (running !== undefined) return { path: running, external: true };
  return {
    errors: [
      {
        text: `${source} is a file of the engine's sources: import it from "@lignee/engine"`,
      },
    ],
  };
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function loaderOf(file: string): "ts" | "tsx" | "js" | "jsx" {
  if (file.endsWith(".tsx")) return "tsx";
  if (file.endsWith(".jsx")) return "jsx";
  return /\.[cm]?ts$/.test(file) ? "ts" : "js";
}
