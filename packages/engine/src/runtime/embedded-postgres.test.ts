import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync, watch, writeFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, unlink } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { availableParallelism, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  availableMemory,
  parallelWorkersPerQuery,
  sharedBuffersMb,
  startEmbeddedPostgres,
} from "./embedded-postgres";
import { freePort } from "../../../../tests/support/free-port";

/**
 * Embedded PostgreSQL shared by real processes: each test starts small Node processes
 * (tests/fixtures/embedded-postgres-user.ts) on one data directory and checks who stops the
 * server, and when.
 */

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const USER_SCRIPT = path.join(ROOT, "tests/fixtures/embedded-postgres-user.ts");

let base = "";
/** An initialised, stopped cluster: tests copy it rather than each running initdb. */
let template = "";
const children = new Set<ChildProcess>();
const dataDirs: string[] = [];

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "lignee-embedded-test-"));
  // As root the server runs as the postgres user, which must be able to reach its data directory.
  await chmod(base, 0o755);
  template = await newDataDir("template");
  const db = await startEmbeddedPostgres({ dataDir: template, port: await freePort() });
  await db.stop();
});

afterEach(async () => {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
  for (const dir of dataDirs.splice(0)) await forceStop(dir);
});

afterAll(async () => {
  if (template) await forceStop(template);
  if (base) await rm(base, { recursive: true, force: true });
});

describe("embedded PostgreSQL shared by several processes", () => {
  it("is adopted by the next process after its starter is killed, and stopped when that one leaves", async () => {
    const dataDir = await copyOfTemplate("adopted");
    const port = await freePort();

    const first = startUser(dataDir, port);
    await first.ready;
    const postmaster = postmasterPid(dataDir);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(isRunning(postmaster)).toBe(true);

    const second = startUser(dataDir, port);
    await second.ready;
    expect(second.output()).toContain("adopting the server");
    await second.send("close", "closed");
    await second.exited;

    expect(isRunning(postmaster)).toBe(false);
    expect(await acceptsConnections(port)).toBe(false);
  });

  it("starts once for two processes started at the same moment on a fresh directory", async () => {
    const dataDir = await newDataDir("fresh");
    const port = await freePort();

    const users = [startUser(dataDir, port), startUser(dataDir, port)];
    await Promise.all(users.map((u) => u.ready));
    const postmaster = postmasterPid(dataDir);
    for (const user of users) await user.send("query", "query ok");
    for (const user of users) {
      await user.send("close", "closed");
      await user.exited;
    }

    for (const user of users) expect(user.output()).not.toContain("starting up");
    expect(isRunning(postmaster)).toBe(false);
  });

  it("keeps running while another process uses it, and stops when the last one leaves", async () => {
    const dataDir = await copyOfTemplate("shared");
    const port = await freePort();

    const first = startUser(dataDir, port);
    await first.ready;
    const second = startUser(dataDir, port);
    await second.ready;
    const postmaster = postmasterPid(dataDir);

    await first.send("close", "closed");
    await first.exited;
    await second.send("query", "query ok");
    expect(isRunning(postmaster)).toBe(true);

    await second.send("close", "closed");
    await second.exited;
    expect(isRunning(postmaster)).toBe(false);
    expect(await acceptsConnections(port)).toBe(false);
  });

  it("counts two users in one process as two", async () => {
    const dataDir = await copyOfTemplate("same-process");
    const port = await freePort();

    const [a, b] = await Promise.all([
      startEmbeddedPostgres({ dataDir, port }),
      startEmbeddedPostgres({ dataDir, port }),
    ]);
    const postmaster = postmasterPid(dataDir);
    await a.stop();
    expect(isRunning(postmaster)).toBe(true);
    await b.stop();
    expect(isRunning(postmaster)).toBe(false);
  });

  it("gives a local URL through the server's own Unix socket, and keeps TCP in its URL", async () => {
    const dataDir = await copyOfTemplate("socket");
    const port = await freePort();
    const db = await startEmbeddedPostgres({ dataDir, port });
    try {
      const socketDir = readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[4];
      expect(new URL(db.localUrl).searchParams.get("host")).toBe(socketDir);
      expect(existsSync(path.join(socketDir!, `.s.PGSQL.${port}`))).toBe(true);
      // inet_server_addr() is NULL over a Unix socket, the address over TCP.
      expect(await serverAddress(db.localUrl)).toBeNull();
      expect(await serverAddress(db.url)).not.toBeNull();
    } finally {
      await db.stop();
    }
  });
});

describe("the embedded server's settings", () => {
  it("a page cache of a quarter of the machine's memory, between 128 MB and 8 GB, and parallel workers only beyond four cores", async () => {
    const gib = 2 ** 30;
    expect(sharedBuffersMb(256 * 2 ** 20)).toBe(128);
    expect(sharedBuffersMb(4 * gib)).toBe(1024);
    expect(sharedBuffersMb(24 * gib)).toBe(6144);
    expect(sharedBuffersMb(64 * gib)).toBe(8192);
    expect([1, 2, 4, 5, 16].map(parallelWorkersPerQuery)).toEqual([0, 0, 0, 2, 2]);
    const dataDir = await copyOfTemplate("buffers");
    const db = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client
        .query<{ mb: string; workers: string }>(
          `SELECT (setting::bigint * 8192 / 1048576)::text AS mb,
                  current_setting('max_parallel_workers_per_gather') AS workers
           FROM pg_settings WHERE name = 'shared_buffers'`,
        )
        .finally(() => client.end());
      expect(Number(rows[0]!.mb)).toBe(sharedBuffersMb(availableMemory()));
      expect(rows[0]!.workers).toBe(String(parallelWorkersPerQuery(availableParallelism())));
      expect(availableMemory()).toBeLessThanOrEqual(totalmem());
    } finally {
      await db.stop();
    }
  });
});

describe("a port already used by another data directory's server", () => {
  it("is refused, naming both directories, before creating a cluster or a database", async () => {
    const other = await copyOfTemplate("other-instance");
    const port = await freePort();
    const running = await startEmbeddedPostgres({ dataDir: other, port });
    try {
      // A fresh directory: no cluster is created.
      const fresh = await newDataDir("fresh-on-taken-port");
      const log: string[] = [];
      const refused = startEmbeddedPostgres({ dataDir: fresh, port, log: (m) => log.push(m) });
      await expect(refused).rejects.toThrow(
        new RegExp(
          `port ${port} is used by the PostgreSQL of ${escape(realpathSync(other))}, not of ${escape(fresh)}.*LIGNEE_PG_PORT`,
          "s",
        ),
      );
      expect(existsSync(fresh)).toBe(false);
      expect(existsSync(`${fresh}.users`)).toBe(false);
      expect(log.join("\n")).not.toContain("creating a cluster");

      // An existing cluster, not running: refused too, its server not left running.
      const stopped = await copyOfTemplate("stopped-on-taken-port");
      await expect(startEmbeddedPostgres({ dataDir: stopped, port })).rejects.toThrow(
        /LIGNEE_PG_PORT/,
      );
      expect(existsSync(path.join(stopped, "postmaster.pid"))).toBe(false);

      // The other instance is untouched and still serves its own directory.
      const client = new pg.Client(running.url);
      await client.connect();
      try {
        const { rows } = await client.query<{ data_directory: string }>("SHOW data_directory");
        expect(realpathSync(rows[0]!.data_directory)).toBe(realpathSync(other));
      } finally {
        await client.end();
      }
    } finally {
      await running.stop();
    }
  });
});

describe("a port taken while waiting, or by what is not this instance's server", () => {
  it("is refused when something there accepts connections and never answers", async () => {
    const port = await freePort();
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(port, resolve));
    try {
      const fresh = await newDataDir("silent-port");
      await expect(startEmbeddedPostgres({ dataDir: fresh, port })).rejects.toThrow(
        new RegExp(
          `port ${port} is used by something that does not answer as PostgreSQL.*LIGNEE_PG_PORT.*DATABASE_URL`,
        ),
      );
      expect(existsSync(fresh)).toBe(false);
      expect(existsSync(`${fresh}.users`)).toBe(false);
      expect(existsSync(`${fresh}.lock`)).toBe(false);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("is refused under the lock when a server took the port while this process waited for it", async () => {
    const dataDir = await copyOfTemplate("late-taker");
    const port = await freePort();
    // The lock held (by this live process) while the first check passes on a free port.
    const lock = `${dataDir}.lock`;
    writeFileSync(lock, `${process.pid}\nheld by the test\n`);
    const waiting = lockAttempted(path.dirname(dataDir), `${path.basename(lock)}.`);
    const start = startEmbeddedPostgres({ dataDir, port });
    start.catch(() => undefined);
    await waiting;
    const other = await startEmbeddedPostgres({
      dataDir: await copyOfTemplate("late-other"),
      port,
    });
    try {
      await unlink(lock);
      await expect(start).rejects.toThrow(
        new RegExp(`port ${port} is used by the PostgreSQL of .*late-other.*LIGNEE_PG_PORT`),
      );
      expect(existsSync(`${dataDir}.users`)).toBe(false);
      expect(existsSync(lock)).toBe(false);
      expect(existsSync(path.join(dataDir, "postmaster.pid"))).toBe(false);
    } finally {
      await other.stop();
    }
  });

  it("leaves none of the folders it made when refused under the lock", async () => {
    const port = await freePort();
    // Closes the first connection (the check before the lock: nothing there to refuse), then
    // accepts and says nothing (the check under the lock: refused).
    const sockets: Socket[] = [];
    const flaky = createServer((socket) => {
      if (sockets.push(socket) === 1) socket.destroy();
    });
    await new Promise<void>((resolve) => flaky.listen(port, resolve));
    try {
      const parent = path.dirname(await newDataDir("made-then-removed"));
      const dataDir = path.join(parent, "deeper", "pg");
      await expect(startEmbeddedPostgres({ dataDir, port })).rejects.toThrow(
        new RegExp(`port ${port} is used by something that does not answer.*LIGNEE_PG_PORT`),
      );
      expect(sockets.length).toBeGreaterThanOrEqual(2);
      expect(existsSync(path.join(parent, "deeper"))).toBe(false);
      expect(existsSync(parent)).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => flaky.close(resolve));
    }
  });

  it("is refused when the server named by postmaster.pid serves another directory", async () => {
    const otherDir = await copyOfTemplate("pid-owner");
    const port = await freePort();
    const other = await startEmbeddedPostgres({ dataDir: otherDir, port });
    try {
      // A postmaster.pid whose pid is now another instance's server (a pid reused).
      const stale = await copyOfTemplate("stale-pid");
      const pidFile = readFileSync(path.join(otherDir, "postmaster.pid"), "utf8").split("\n");
      pidFile[1] = stale;
      writeFileSync(path.join(stale, "postmaster.pid"), pidFile.join("\n"));
      await expect(startEmbeddedPostgres({ dataDir: stale, port: port + 1 })).rejects.toThrow(
        new RegExp(`port ${port} is used by the PostgreSQL of .*pid-owner.*LIGNEE_PG_PORT`),
      );
      expect(readdirSync(`${stale}.users`)).toEqual([]);
      expect(isRunning(postmasterPid(otherDir))).toBe(true);
    } finally {
      await other.stop();
    }
  });
});

describe("a PostgreSQL on the port that lets in a user who may not read its settings", () => {
  it("is refused, naming the port, before creating anything", async () => {
    const port = await freePort();
    const other = await startEmbeddedPostgres({
      dataDir: await copyOfTemplate("foreign"),
      port,
    });
    try {
      // Another PostgreSQL where the user Lignée signs in with is no superuser.
      const admin = new pg.Client(other.url);
      await admin.connect();
      await admin.query(`CREATE ROLE keeper SUPERUSER LOGIN PASSWORD 'keeper'`);
      await admin.end();
      const keeper = new pg.Client({ ...clientOf(other.url), user: "keeper", password: "keeper" });
      await keeper.connect();
      await keeper.query(`ALTER ROLE lignee RENAME TO first_superuser`);
      await keeper.query(`CREATE ROLE lignee LOGIN PASSWORD 'lignee'`);
      await keeper.end();

      const fresh = await newDataDir("fresh-on-foreign-port");
      await expect(startEmbeddedPostgres({ dataDir: fresh, port })).rejects.toThrow(
        new RegExp(
          `port ${port} is used by a PostgreSQL that does not say its data directory .*permission denied.*LIGNEE_PG_PORT`,
        ),
      );
      expect(existsSync(fresh)).toBe(false);
      expect(existsSync(`${fresh}.users`)).toBe(false);
    } finally {
      await other.stop();
    }
  });
});

function clientOf(url: string): pg.ClientConfig {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), database: u.pathname.slice(1) };
}

/** Resolves once a file named `prefix…` appears in `dir`: an attempt to take a lock there. */
function lockAttempted(dir: string, prefix: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dir, (_event, name) => {
      if (name?.startsWith(prefix)) {
        watcher.close();
        resolve();
      }
    });
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function serverAddress(url: string): Promise<string | null> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const result = await client.query<{ a: string | null }>("SELECT inet_server_addr() AS a");
    return result.rows[0]!.a;
  } finally {
    await client.end();
  }
}

interface User {
  readonly child: ChildProcess;
  /** Resolves once the process has run `SELECT 1`; rejects if it exits first. */
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  /** Writes `command` on the process's stdin and waits for the line `answer`. */
  send(command: string, answer: string): Promise<void>;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
}

function startUser(dataDir: string, port: number): User {
  // One process (no tsx wrapper in between), so that a signal reaches the server's user.
  const child = spawn(process.execPath, ["--import", "tsx", USER_SCRIPT, dataDir, String(port)], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.add(child);
  let text = "";
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const waiter of waiters.splice(0)) waiter();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      children.delete(child);
      for (const waiter of waiters.splice(0)) waiter();
      resolve(code);
    });
  });
  const waitForLine = (line: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (text.split("\n").some((l) => l.startsWith(line))) resolve();
        else if (child.exitCode !== null || child.signalCode !== null)
          reject(new Error(`process exited before "${line}":\n${text}`));
        else waiters.push(check);
      };
      check();
    });
  return {
    child,
    ready: waitForLine('{"ready":true'),
    exited,
    send: async (command, answer) => {
      const before = text.length;
      child.stdin.write(`${command}\n`);
      await new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (text.slice(before).includes(answer)) resolve();
          else if (child.exitCode !== null || child.signalCode !== null)
            reject(new Error(`process exited before "${answer}":\n${text}`));
          else if (/query failed/.test(text.slice(before)))
            reject(new Error(`expected "${answer}":\n${text}`));
          else waiters.push(check);
        };
        check();
      });
    },
    output: () => text,
  };
}

async function newDataDir(name: string): Promise<string> {
  const parent = path.join(base, name);
  await mkdir(parent);
  await chmod(parent, 0o755);
  const dataDir = path.join(parent, "pg");
  dataDirs.push(dataDir);
  return dataDir;
}

/** A copy of the template cluster (`cp -a` keeps the postgres user's ownership, as root). */
async function copyOfTemplate(name: string): Promise<string> {
  const dataDir = await newDataDir(name);
  await promisify(execFile)("cp", ["-a", template, dataDir]);
  return dataDir;
}

function postmasterPid(dataDir: string): number {
  return Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
}

/** Whether `pid` runs (a zombie, dead but not yet reaped by its parent, does not). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  return readFileSync(stat, "utf8").split(") ")[1]?.[0] !== "Z";
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "localhost", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Cleanup: stops (immediate shutdown) any server still running on `dataDir`, found by its
 * command line since a server killed mid-start-up may not have written postmaster.pid yet.
 */
async function forceStop(dataDir: string): Promise<void> {
  const pids = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(dataDir);
      } catch {
        return false;
      }
    })
    .map(Number);
  for (const pid of pids) process.kill(pid, "SIGQUIT");
  for (let i = 0; i < 100 && pids.some(isRunning); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
