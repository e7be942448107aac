import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { OnResolveResult, OutputFile, Plugin } from "esbuild";
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
  return (await importProjectFiles(file)).module;
}

/** A project's module, with the project files it was built from (absolute). */
export interface ProjectModule {
  readonly module: Record<string, unknown>;
  /**
   * The module's file and the project files it imports, as far as this process knows them: the
   * compiled module's inputs (built CLI), or the module's own file (engine sources).
   */
  readonly files: readonly string[];
}

/** Imports of a module from the engine's sources, to load each version of it anew. */
let sourceImports = 0;

/**
 * `importProjectModule`, with the files it came from; each call after a change of those files
 * loads the new version (the built CLI compiles it into a new file; from the engine's sources the
 * module's own file is imported again, the files it imports are not).
 */
export async function importProjectFiles(file: string): Promise<ProjectModule> {
  if (!RUNS_BUILT) {
    const url = `${pathToFileURL(file).href}${sourceImports++ === 0 ? "" : `?load=${sourceImports}`}`;
    return { module: (await import(url)) as Record<string, unknown>, files: [file] };
  }
  // The engine's own example definitions: built with the engine.
  const built = runningEngineModule(file);
  if (built !== undefined)
    return { module: (await import(built)) as Record<string, unknown>, files: [file] };
  const compiled = await compiledModule(file);
  // Stacks of errors thrown by the project's code name its own files and lines (the compiled
  // module has a source map), as they would from the sources.
  process.setSourceMapsEnabled(true);
  return {
    module: (await import(pathToFileURL(compiled.entry).href)) as Record<string, unknown>,
    files: compiled.files,
  };
}

/** A compiled module: its entry file, and each input's size and modification time. */
interface CompiledRecord {
  readonly engine: string;
  /** This compiler: the file of the code that compiled it (a new build compiles again). */
  readonly compiler: string;
  readonly entry: string;
  readonly inputs: Readonly<Record<string, readonly [number, number]>>;
}

/** Builds of earlier sources are removed this long after (a running process may still use them). */
const KEEP_OLD_BUILDS_MS = 24 * 60 * 60 * 1000;

/**
 * Compiled modules live in the temporary folder, per user and source module: each build in a
 * folder of its own (`<name>-<key>.<build>/`), the current one named by `<name>-<key>.json`.
 */
function cacheBase(file: string): string {
  const key = createHash("sha256").update(file).digest("hex").slice(0, 16);
  return path.join(CACHE_DIR, `${path.basename(file).replace(/\.[^.]+$/, "")}-${key}`);
}

const CACHE_DIR = path.join(tmpdir(), `lignee-modules-${userInfo().uid}`);

/**
 * The cache folder, created private (0700) when missing. Code is loaded from it, so a folder
 * another user made (or a symbolic link, or one others may write to) is refused rather than used.
 */
async function privateCacheDir(): Promise<void> {
  await mkdir(CACHE_DIR, { recursive: true, mode: 0o700 });
  const s = await lstat(CACHE_DIR);
  const uid = process.getuid?.();
  if (!s.isDirectory() || (uid !== undefined && s.uid !== uid) || (s.mode & 0o022) !== 0) {
    throw new LigneeError(
      "DEFINITION_INVALID",
      `the compiled definitions' folder ${CACHE_DIR} is not a private folder of this user: remove it and run the command again`,
    );
  }
}

async function compiledModule(file: string): Promise<{ entry: string; files: string[] }> {
  await privateCacheDir();
  const base = cacheBase(file);
  const engine = engineEntryUrls()["@lignee/engine"]!;
  const compiler = await compilerVersion();
  const fresh = await freshEntry(`${base}.json`, engine, compiler);
  if (fresh !== undefined) return fresh;
  const outdir = `${base}.${Date.now().toString(36)}${process.pid.toString(36)}`;
  const { files, entry, inputs } = await compile(file, outdir);
  await mkdir(outdir, { recursive: true });
  for (const f of files) {
    await mkdir(path.dirname(f.path), { recursive: true });
    await writeFile(f.path, f.contents);
  }
  // The lockfiles above the module too: a package upgrade changes what its imports resolve to.
  const record: CompiledRecord = {
    engine,
    compiler,
    entry,
    inputs: await fingerprints([...inputs, ...lockfilesAbove(file)]),
  };
  await markReplaced(`${base}.json`);
  // Renamed into place once the build is whole: a CLI starting meanwhile uses either build.
  const temporary = `${base}.json.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(record));
  await rename(temporary, `${base}.json`);
  await removeOldBuilds(base, outdir);
  return { entry, files: projectFiles(inputs) };
}

/** The inputs that are the project's own files (not packages, not the engine). */
function projectFiles(inputs: readonly string[]): string[] {
  return inputs.filter(
    (f) =>
      !f.includes(`${path.sep}node_modules${path.sep}`) && !LOCKFILES.includes(path.basename(f)),
  );
}

/** The compiled entry when it is there and every input is as it was compiled; else undefined. */
async function freshEntry(
  recordFile: string,
  engine: string,
  compiler: string,
): Promise<{ entry: string; files: string[] } | undefined> {
  try {
    const record = JSON.parse(await readFile(recordFile, "utf8")) as CompiledRecord;
    if (record.engine !== engine || record.compiler !== compiler) return undefined;
    if (!existsSync(record.entry)) return undefined;
    const now = await fingerprints(Object.keys(record.inputs));
    const same = Object.entries(record.inputs).every(
      ([f, [size, mtime]]) => now[f]?.[0] === size && now[f]?.[1] === mtime,
    );
    return same
      ? { entry: record.entry, files: projectFiles(Object.keys(record.inputs)) }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The file this code runs from, with its size and time: changes with each build that changes it. */
async function compilerVersion(): Promise<string> {
  const file = fileURLToPath(import.meta.url);
  const s = await stat(file);
  return `${file}:${s.size}:${s.mtimeMs}`;
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

const LOCKFILES = ["pnpm-lock.yaml", "package-lock.json", "yarn.lock", "bun.lock"];

/** The package managers' lockfiles in the module's folder and every folder above it. */
function lockfilesAbove(file: string): string[] {
  const found: string[] = [];
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    for (const name of LOCKFILES) {
      if (existsSync(path.join(dir, name))) found.push(path.join(dir, name));
    }
    if (path.dirname(dir) === dir) return found;
  }
}

/**
 * Dates the build a record names as replaced now: old builds are removed a while after they were
 * replaced (a running process may still load a lazy part of one), not after they were written.
 */
async function markReplaced(recordFile: string): Promise<void> {
  try {
    const record = JSON.parse(await readFile(recordFile, "utf8")) as CompiledRecord;
    const relative = path.relative(CACHE_DIR, record.entry).split(path.sep);
    if (relative.length < 2 || relative[0] === "..") return;
    await utimes(path.join(CACHE_DIR, relative[0]!), new Date(), new Date());
  } catch {
    // No earlier build, or one already removed.
  }
}

async function removeOldBuilds(base: string, current: string): Promise<void> {
  const dir = path.dirname(base);
  const prefix = `${path.basename(base)}.`;
  for (const name of await readdir(dir)) {
    const full = path.join(dir, name);
    if (!name.startsWith(prefix) || full === current || name.endsWith(".json")) continue;
    const s = await stat(full).catch(() => undefined);
    if (s?.isDirectory() && Date.now() - s.mtimeMs > KEEP_OLD_BUILDS_MS) {
      await rm(full, { recursive: true, force: true });
    }
  }
}

/**
 * `file` and the project files it imports as ES modules in `outdir` (split where it imports
 * lazily, so that what a dynamic import brings still loads only when asked for), with the
 * path of the entry and the inputs, absolute.
 */
async function compile(
  file: string,
  outdir: string,
): Promise<{ files: OutputFile[]; entry: string; inputs: string[] }> {
  const { build } = await import("esbuild");
  try {
    const result = await build({
      entryPoints: [file],
      outdir,
      bundle: true,
      splitting: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      outExtension: { ".js": ".mjs" },
      sourcemap: "linked",
      sourcesContent: false,
      metafile: true,
      logLevel: "silent",
      absWorkingDir: path.dirname(file),
      plugins: [projectModulePlugin()],
    });
    const base = path.dirname(file);
    const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint)?.[0];
    const inputs = Object.keys(result.metafile.inputs).map((f) => path.resolve(base, f));
    return { files: result.outputFiles, entry: path.resolve(base, entry!), inputs };
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
      build.onResolve({ filter: /^[./]/ }, (args) =>
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
