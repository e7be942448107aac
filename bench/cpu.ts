import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import pg from "pg";

/**
 * CPU time spent by this process, by its child processes (dbt's Python, …) and by the local
 * PostgreSQL server, read from /proc (Linux): what a stage cost the machine, whatever ran side
 * by side. A benchmark takes a snapshot before and after and subtracts.
 */
export interface CpuSnapshot {
  /** Seconds of CPU of this process tree: Node, its children and, when local, PostgreSQL. */
  readonly tree: number;
  /** Seconds of CPU of this Node process alone (all its threads). */
  readonly node: number;
  /** Seconds of CPU of the PostgreSQL server and its backends; null when it is not local. */
  readonly postgres: number | null;
  /** Whether the server is a descendant of this process (then `tree` includes it). */
  readonly serverInTree: boolean;
}

export interface CpuSpent {
  readonly totalSeconds: number;
  readonly nodeSeconds: number;
  /** Null when the server is not a process of this machine (DATABASE_URL elsewhere). */
  readonly postgresSeconds: number | null;
  /** Children other than PostgreSQL: dbt's Python processes. */
  readonly otherSeconds: number;
  /** totalSeconds / wall seconds: how many cores were busy on average. */
  readonly coresBusy: number;
}

interface ProcStat {
  readonly pid: number;
  /** The executable's name, as /proc/<pid>/stat gives it. */
  readonly command: string;
  readonly ppid: number;
  /** utime + stime, seconds. */
  readonly own: number;
  /** cutime + cstime (reaped children), seconds. */
  readonly reaped: number;
}

const TICKS_PER_SECOND = 100;

/**
 * The pid of the postmaster serving `url`, when it runs on this machine and shows in /proc:
 * the parent of a backend of ours. Undefined otherwise (a remote server, another container).
 */
export async function localPostmasterPid(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    // A server in a container or on another host has its own pids: the pid read here must be
    // a postgres process of this machine, and so must its parent.
    const backend = await procStat(rows[0]!.pid);
    if (!backend || backend.command !== "postgres") return undefined;
    const parent = await procStat(backend.ppid);
    return parent?.command === "postgres" ? parent.pid : undefined;
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}

/**
 * CPU spent so far by this process tree and by the server of `postmasterPid`; undefined where
 * there is no /proc to read it from (macOS).
 */
export async function cpuSnapshot(
  postmasterPid: number | undefined,
): Promise<CpuSnapshot | undefined> {
  if (!existsSync(`/proc/${process.pid}/stat`)) return undefined;
  const all = await allProcStats();
  const usage = process.cpuUsage();
  const postgres =
    postmasterPid === undefined ? null : treeSeconds(all, postmasterPid, new Set<number>());
  return {
    tree: treeSeconds(all, process.pid, new Set<number>()),
    node: (usage.user + usage.system) / 1e6,
    postgres,
    serverInTree: postmasterPid !== undefined && descends(all, postmasterPid, process.pid),
  };
}

/** What was spent between two snapshots, over `wallMs` (undefined without snapshots). */
export function cpuSpent(
  before: CpuSnapshot | undefined,
  after: CpuSnapshot | undefined,
  wallMs: number,
): CpuSpent | undefined {
  if (!before || !after) return undefined;
  const node = after.node - before.node;
  const postgres =
    after.postgres === null || before.postgres === null ? null : after.postgres - before.postgres;
  // The server may not be this process's child (a server another process started): add it.
  const tree = after.tree - before.tree;
  const total = after.serverInTree || postgres === null ? tree : tree + postgres;
  const other = Math.max(0, total - node - (postgres ?? 0));
  return {
    totalSeconds: round(total),
    nodeSeconds: round(node),
    postgresSeconds: postgres === null ? null : round(postgres),
    otherSeconds: round(other),
    coresBusy: round(total / (wallMs / 1000)),
  };
}

function descends(all: ReadonlyMap<number, ProcStat>, pid: number, ancestor: number): boolean {
  for (let p = all.get(pid); p && p.pid > 1; p = all.get(p.ppid))
    if (p.ppid === ancestor) return true;
  return false;
}

/** Own and reaped CPU of `pid` and of its live descendants. */
function treeSeconds(all: ReadonlyMap<number, ProcStat>, pid: number, seen: Set<number>): number {
  const root = all.get(pid);
  if (!root || seen.has(pid)) return 0;
  seen.add(pid);
  let total = root.own + root.reaped;
  for (const child of all.values())
    if (child.ppid === pid) total += treeSeconds(all, child.pid, seen);
  return total;
}

async function allProcStats(): Promise<Map<number, ProcStat>> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name)).map(Number);
  const stats = await Promise.all(pids.map(procStat));
  return new Map(stats.filter((s): s is ProcStat => s !== undefined).map((s) => [s.pid, s]));
}

async function procStat(pid: number): Promise<ProcStat | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  // The command name, in parentheses, may hold spaces: the fields start after its last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const at = (i: number): number => Number(fields[i]);
  return {
    pid,
    command: text.slice(text.indexOf("(") + 1, text.lastIndexOf(")")),
    ppid: at(1),
    own: (at(11) + at(12)) / TICKS_PER_SECOND,
    reaped: (at(13) + at(14)) / TICKS_PER_SECOND,
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
