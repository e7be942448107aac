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
  return entry;
}

export async function unregisterUser(entry: string): Promise<void> {
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
    const pid = Number(name.split("-")[0]);
    if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) live.push(path.join(dir, name));
    else await rm(path.join(dir, name), { force: true });
  }
  return live;
}
