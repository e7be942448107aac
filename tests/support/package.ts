import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { REPO_ROOT } from "./cli";
import { sleep } from "./wait";

/** Where the packed engine and npm's cache live between test runs (reruns install offline). */
const PACK_DIR = path.join(REPO_ROOT, ".lignee", "engine-pack");
export const NPM_CACHE = path.join(REPO_ROOT, ".lignee", "npm-cache");
const ENGINE = path.join(REPO_ROOT, "packages", "engine");

/** The versions a test project installs beside the engine, as the repository pins them. */
export const TYPESCRIPT_DEV_DEPENDENCIES = ["typescript@5.9.3", "@types/node@20"];

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command ARGS` in `cwd` (no shell) and resolves to its exit code and output. */
export function exec(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** `exec` that throws, with the command's output, unless it exits 0. */
export async function execOk(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<ExecResult> {
  const result = await exec(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited with ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/** The pnpm that runs the tests (scripts/test.sh passes it), else the one on PATH. */
function pnpm(): string {
  return process.env.LIGNEE_PNPM || "pnpm";
}

/**
 * The engine packed as it is published (`pnpm pack`: its prepack builds the package, see
 * scripts/build-engine.mjs --package): the tarball's path. Packed again only when the engine's
 * build, the built UI or the package's manifest or README is newer than the last tarball; test files
 * packing at once take turns.
 */
export async function packedEngine(): Promise<string> {
  await mkdir(PACK_DIR, { recursive: true });
  return withLock(path.join(PACK_DIR, ".lock"), async () => {
    const current = await currentTarball();
    if (current !== undefined) return current;
    const staging = path.join(PACK_DIR, `staging-${process.pid}`);
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    await execOk(pnpm(), ["pack", "--pack-destination", staging], { cwd: ENGINE });
    const [name] = (await readdir(staging)).filter((f) => f.endsWith(".tgz"));
    if (name === undefined) throw new Error("pnpm pack wrote no tarball");
    for (const old of (await readdir(PACK_DIR)).filter((f) => f.endsWith(".tgz"))) {
      await rm(path.join(PACK_DIR, old), { force: true });
    }
    await rename(path.join(staging, name), path.join(PACK_DIR, name));
    await rm(staging, { recursive: true, force: true });
    return path.join(PACK_DIR, name);
  });
}

async function currentTarball(): Promise<string | undefined> {
  const [name] = (await readdir(PACK_DIR)).filter((f) => f.endsWith(".tgz"));
  if (name === undefined) return undefined;
  const tarball = path.join(PACK_DIR, name);
  const packed = (await stat(tarball)).mtimeMs;
  const inputs = [
    path.join(ENGINE, "dist", ".build-stamp"),
    path.join(ENGINE, "package.json"),
    path.join(ENGINE, "README.md"),
    path.join(REPO_ROOT, "packages", "ui", "dist", "index.html"),
    path.join(REPO_ROOT, "scripts", "build-engine.mjs"),
  ];
  const newer = inputs.some((f) => !existsSync(f) || statSync(f).mtimeMs > packed);
  return newer ? undefined : tarball;
}

/** Runs `work` holding a lock folder (taken over after ten minutes: a crashed holder). */
async function withLock<T>(lock: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 10 * 60_000) await rm(lock, { recursive: true, force: true });
      else await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** `npm ARGS` in `cwd` with the repository's npm cache, quiet, preferring what it cached. */
export function npm(args: readonly string[], cwd: string): Promise<ExecResult> {
  return execOk(
    "npm",
    [...args, "--cache", NPM_CACHE, "--prefer-offline", "--no-audit", "--no-fund"],
    { cwd, env: { npm_config_loglevel: "error", npm_config_update_notifier: "false" } },
  );
}

/** Writes files (path relative to `root` → text), creating their folders. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
}
