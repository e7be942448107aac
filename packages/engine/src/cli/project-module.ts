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
  /**
   * A digest of what the module was built from: the contents of `files` as they were read to
   * build it, and of the package managers' lockfiles above it (computed when asked for).
   */
  digest(): Promise<string>;
}

/** How many times each URL was imported: later imports evaluate the module anew. */
const imports = new Map<string, number>();

/**
 * Imports a module's URL; each later call evaluates it again (a query makes it a new module),
 * so that what it reads when it loads (a dbt project, a configuration file) is read again too.
 */
async function importAnew(url: string): Promise<Record<string, unknown>> {
  const n = imports.get(url) ?? 0;
  imports.set(url, n + 1);
  return (await import(n === 0 ? url : `${url}?load=${n}`)) as Record<string, unknown>;
}

/**
 * `importProjectModule`, with the files it came from and their digest; each call evaluates the
 * module again, in its latest version: the built CLI compiles it again when one of its files
 * changed; from the engine's sources the module's own file is evaluated again, not the files it
 * imports.
 */
export async function importProjectFiles(file: string): Promise<ProjectModule> {
  // The engine's own example definitions are built with the engine.
  const built = RUNS_BUILT ? runningEngineModule(file) : undefined;
  if (!RUNS_BUILT || built !== undefined) {
    const module = await importAnew(built ?? pathToFileURL(file).href);
    return { module, files: [file], digest: () => digestOf(file, [file]) };
  }
  const compiled = await compiledModule(file);
  // Stacks of errors thrown by the project's code name its own files and lines (the compiled
  // module has a source map), as they would from the sources.
  process.setSourceMapsEnabled(true);
  const module = await importAnew(pathToFileURL(compiled.entry).href);
  return { module, files: compiled.files, digest: () => Promise.resolve(compiled.digest) };
}

/** The digest of files read now (with the lockfiles above `entry`). */
async function digestOf(entry: string, files: readonly string[]): Promise<string> {
  const hashes: Record<string, string> = {};
  for (const f of [...files, ...lockfilesAbove(entry)]) {
    hashes[f] = await contentHash(f);
  }
  return combinedDigest(entry, hashes);
}

async function contentHash(file: string): Promise<string> {
  const content = await readFile(file).catch(() => undefined);
  return content ? createHash("sha256").update(content).digest("hex") : "missing";
}

/** One digest of files' content hashes, each file named relative to the entry's folder. */
function combinedDigest(entry: string, hashes: Readonly<Record<string, string>>): string {
  const hash = createHash("sha256");
  const base = path.dirname(entry);
  for (const f of Object.keys(hashes).sort()) {
    hash.update(`${path.relative(base, f)}\0${hashes[f]}\0`);
  }
  return hash.digest("hex");
}

/** A compiled module: its entry file, and each input's size and modification time. */
interface CompiledRecord {
  readonly engine: string;
  /** This compiler: the file of the code that compiled it (a new build compiles again). */
  readonly compiler: string;
  readonly entry: string;
  readonly inputs: Readonly<Record<string, readonly [number, number]>>;
  /** The content hash of each project file and lockfile, as compiled. */
  readonly hashes: Readonly<Record<string, string>>;
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

/** A compiled module's entry, its project files and their digest (see `ProjectModule`). */
interface Compiled {
  readonly entry: string;
  readonly files: string[];
  readonly digest: string;
}

async function compiledModule(file: string): Promise<Compiled> {
  await privateCacheDir();
  const base = cacheBase(file);
  const engine = engineEntryUrls()["@lignee/engine"]!;
  const compiler = await compilerVersion();
  const fresh = await freshEntry(file, `${base}.json`, engine, compiler);
  if (fresh !== undefined) return fresh;
  const outdir = `${base}.${Date.now().toString(36)}${process.pid.toString(36)}`;
  const { files, entry, inputs, read } = await compile(file, outdir);
  await mkdir(outdir, { recursive: true });
  for (const f of files) {
    await mkdir(path.dirname(f.path), { recursive: true });
    await writeFile(f.path, f.contents);
  }
  // The lockfiles above the module too: a package upgrade changes what its imports resolve to.
  // The files compiled count as they were when read: one changed during the build no longer
  // matches, and the next start compiles it again.
  const others = [...inputs, ...lockfilesAbove(file)].filter((f) => !read.has(f));
  const later = await fingerprints(others);
  const hashes: Record<string, string> = {};
  for (const [f, r] of read) if (isProjectFile(f)) hashes[f] = r.hash;
  for (const f of others) if (isProjectFile(f) || isLockfile(f)) hashes[f] = await contentHash(f);
  const record: CompiledRecord = {
    engine,
    compiler,
    entry,
    inputs: {
      ...later,
      ...Object.fromEntries([...read].map(([f, r]) => [f, [r.size, r.mtimeMs] as const])),
    },
    hashes,
  };
  await markReplaced(`${base}.json`);
  // Renamed into place once the build is whole: a CLI starting meanwhile uses either build.
  const temporary = `${base}.json.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(record));
  await rename(temporary, `${base}.json`);
  await removeOldBuilds(base, outdir);
  return { entry, files: inputs.filter(isProjectFile), digest: combinedDigest(file, hashes) };
}

/** A project's own file (not a package's, not a lockfile). */
function isProjectFile(f: string): boolean {
  return !f.includes(`${path.sep}node_modules${path.sep}`) && !isLockfile(f);
}

function isLockfile(f: string): boolean {
  return LOCKFILES.includes(path.basename(f));
}

/** The compiled entry when it is there and every input is as it was compiled; else undefined. */
async function freshEntry(
  file: string,
  recordFile: string,
  engine: string,
  compiler: string,
): Promise<Compiled | undefined> {
  try {
    const record = JSON.parse(await readFile(recordFile, "utf8")) as CompiledRecord;
    if (record.engine !== engine || record.compiler !== compiler) return undefined;
    if (!existsSync(record.entry) || record.hashes === undefined) return undefined;
    const now = await fingerprints(Object.keys(record.inputs));
    const same = Object.entries(record.inputs).every(
      ([f, [size, mtime]]) => now[f]?.[0] === size && now[f]?.[1] === mtime,
    );
    if (!same) return undefined;
    return {
      entry: record.entry,
      files: Object.keys(record.inputs).filter(isProjectFile),
      digest: combinedDigest(file, record.hashes),
    };
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
): Promise<{ files: OutputFile[]; entry: string; inputs: string[]; read: Map<string, ReadFile> }> {
  const { build } = await import("esbuild");
  const read = new Map<string, ReadFile>();
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
      plugins: [projectModulePlugin(read)],
    });
    const base = path.dirname(file);
    const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint)?.[0];
    const inputs = Object.keys(result.metafile.inputs).map((f) => path.resolve(base, f));
    return { files: result.outputFiles, entry: path.resolve(base, entry!), inputs, read };
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
/** A file as the compiler read it: its size and time just before, and its content's hash. */
interface ReadFile {
  readonly size: number;
  readonly mtimeMs: number;
  readonly hash: string;
}

function projectModulePlugin(read: Map<string, ReadFile>): Plugin {
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
        const before = await stat(args.path);
        const bytes = await readFile(args.path);
        read.set(args.path, {
          size: before.size,
          mtimeMs: before.mtimeMs,
          hash: createHash("sha256").update(bytes).digest("hex"),
        });
        const source = bytes.toString("utf8");
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
