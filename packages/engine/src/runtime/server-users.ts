import { randomUUID } from "node:crypto";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { isProcessAlive } from "./process-alive";

/**
 * The processes using a shared server, one file per use in the folder `dir`, named
 * `<pid>-<random>` (a process may open the server more than once). Callers hold the server's
 * lock (see `withFileLock`) around registering, leaving and counting, so that the last one to
 * leave is known for certain.
 */
export async function registerUser(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const entry = path.join(dir, `${process.pid}-${randomUUID()}`);
  await writeFile(entry, "");
  ownEntries.add(entry);
  return entry;
}

/**
 * The entries this process registered. An entry naming this process's pid that is not one of
 * them was left by an earlier process whose pid was reused for this one (containers start
 * their process with the same small pid each time): it is dead, not ours.
 */
const ownEntries = new Set<string>();

export async function unregisterUser(entry: string): Promise<void> {
  ownEntries.delete(entry);
  await rm(entry, { force: true });
}

/** The entries of live processes; those of dead processes (killed, crashed) are removed. */
export async function liveUsers(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return [];
    throw e;
  });
  const live: string[] = [];
  for (const name of names) {
    const entry = path.join(dir, name);
    if (isLiveEntry(entry, Number(name.split("-")[0]))) live.push(entry);
    else await rm(entry, { force: true });
  }
  return live;
}

function isLiveEntry(entry: string, pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return ownEntries.has(entry);
  return isProcessAlive(pid);
}
