import { spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ENGINE_CLI, ensureEngineBuilt } from "../scripts/build-engine.mjs";
import { REPO_ROOT } from "../tests/support/cli";
import { freePort } from "../tests/support/free-port";
import { openBenchDatabase, stats, type BenchResult } from "./support";

/**
 * `pnpm bench engine cli`: how long `lignee status` takes from a cold start, as a user runs it
 * (the repository's job-offer definitions, dbt models included), in wall time of the child
 * process from spawn to exit:
 *
 * 1. cli_status_running_db: the built CLI (`node packages/engine/dist/cli.js status`) against a
 *    PostgreSQL that is already running (DATABASE_URL): target ≤ 600 ms (p50 of 7). The same
 *    command through tsx from the TypeScript sources (`node --import tsx …/src/cli/bin.ts`) is
 *    measured alongside for comparison (`tsx`).
 * 2. cli_status_embedded_start: the built CLI with no DATABASE_URL, so that it starts the
 *    embedded PostgreSQL of a stopped data folder itself (and stops it when it leaves): target
 *    ≤ 1,500 ms (p50 of 5).
 *
 * One warm-up run before each series (not counted) migrates the database, parses the dbt
 * project if needed and compiles the definitions: the figures are those of every later start.
 */
const RUNNING_DB_SAMPLES = 7;
const EMBEDDED_SAMPLES = 5;
const TSX_SAMPLES = 5;

/** The figures of `lignee status` cold starts (see `run`). */
export async function benchCliColdStart(log: (message: string) => void): Promise<BenchResult[]> {
  await ensureEngineBuilt(log);
  const builtCli = (args: string[]): string[] => [ENGINE_CLI, ...args];
  const tsxCli = (args: string[]): string[] => [
    "--conditions=lignee-source",
    "--import",
    "tsx",
    path.join(REPO_ROOT, "packages/engine/src/cli/bin.ts"),
    ...args,
  ];
  const results: BenchResult[] = [];

  const db = await openBenchDatabase(log);
  try {
    log(`cli_status_running_db: ${db.description}`);
    const env = { DATABASE_URL: db.url };
    await statusOnce(builtCli, env); // warm-up: migrations, dbt parse, compiled definitions
    const built = await samples(RUNNING_DB_SAMPLES, () => statusOnce(builtCli, env), log);
    await statusOnce(tsxCli, env);
    const tsx = await samples(TSX_SAMPLES, () => statusOnce(tsxCli, env), log, "tsx ");
    results.push(result("cli_status_running_db", built, 600, { tsx: stats(tsx) }));
  } finally {
    await db.close();
  }

  const home = await mkdtemp(path.join(tmpdir(), "lignee-bench-cli-"));
  try {
    // As root the server runs as the postgres user, which must reach its data directory.
    await chmod(home, 0o755);
    const env = { LIGNEE_HOME: home, LIGNEE_PG_PORT: String(await freePort()) };
    log(`cli_status_embedded_start: data folder ${home} (created by a first run, not counted)`);
    await statusOnce(builtCli, env, { embedded: true });
    const embedded = await samples(
      EMBEDDED_SAMPLES,
      () => statusOnce(builtCli, env, { embedded: true }),
      log,
    );
    results.push(result("cli_status_embedded_start", embedded, 1500));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  return results;
}

function result(
  name: string,
  samplesMs: readonly number[],
  target: number,
  extra: Record<string, unknown> = {},
): BenchResult {
  const s = stats(samplesMs);
  return { name, unit: "ms", targetStat: "p50", target, met: s.p50 <= target, ...s, ...extra };
}

async function samples(
  n: number,
  once: () => Promise<number>,
  log: (message: string) => void,
  label = "",
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await once());
  log(`  ${label}${out.map((ms) => ms.toFixed(0)).join(", ")} ms`);
  return out;
}

/**
 * Wall time of one `lignee status` child process, spawn to exit; throws unless it exits 0.
 * `embedded`: without DATABASE_URL, whatever this process's environment says.
 */
function statusOnce(
  command: (args: string[]) => string[],
  env: Record<string, string>,
  options: { embedded?: boolean } = {},
): Promise<number> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (options.embedded) delete childEnv.DATABASE_URL;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, command(["status"]), {
      cwd: REPO_ROOT,
      env: childEnv,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - start;
      if (code === 0) resolve(ms);
      else reject(new Error(`lignee status exited with ${code}:\n${stderr}`));
    });
  });
}
