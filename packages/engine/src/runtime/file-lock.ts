import { randomUUID } from "node:crypto";
import { link, readFile, unlink, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { LigneeError } from "../errors";
import { isProcessAlive } from "./process-alive";

export interface FileLockOptions {
  /** How long to wait for another holder before failing. */
  readonly timeoutMs: number;
  /** What the lock protects, for the error message ("start-up of … in …"). */
  readonly what: string;
}

const RETRY_MS = 50;

/**
 * Runs `work` while holding an exclusive lock between processes (and between calls of one
 * process): the file `lockPath`, holding the holder's pid and a token of its own. A lock whose
 * holder has died is taken over; waiting longer than `timeoutMs` fails with a `RUNTIME` error
 * naming the holder.
 */
export async function withFileLock<T>(
  lockPath: string,
  options: FileLockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const content = await acquire(lockPath, options);
  try {
    return await work();
  } finally {
    await release(lockPath, content);
  }
}

async function acquire(lockPath: string, options: FileLockOptions): Promise<string> {
  const content = `${process.pid}\n${randomUUID()}\n`;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await tryCreate(lockPath, content)) return content;
    const held = await readFile(lockPath, "utf8").catch(() => undefined);
    if (held === undefined) continue; // released meanwhile
    const holder = Number(held.split("\n")[0]);
    if (!isProcessAlive(holder)) {
      await removeIfUnchanged(lockPath, held);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new LigneeError(
        "RUNTIME",
        `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for process ${holder} ` +
          `(${options.what}); if that process is stuck, stop it or remove ${lockPath}`,
      );
    }
    await sleep(RETRY_MS);
  }
}

/**
 * Creates the lock file with its whole content at once: written aside, then hard-linked into
 * place (link fails if the lock exists), so that no one ever reads a half-written lock.
 */
async function tryCreate(lockPath: string, content: string): Promise<boolean> {
  const aside = `${lockPath}.${process.pid}.${randomUUID()}`;
  await writeFile(aside, content);
  try {
    await link(aside, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

/**
 * Removes a dead holder's lock, unless it changed since it was read (another waiter took it
 * over first). Another waiter could still take it between that check and the removal; the
 * window is a few microseconds, and only opens when a holder has died.
 */
async function removeIfUnchanged(lockPath: string, held: string): Promise<void> {
  const now = await readFile(lockPath, "utf8").catch(() => undefined);
  if (now === held) await unlink(lockPath).catch(() => undefined);
}

async function release(lockPath: string, content: string): Promise<void> {
  const now = await readFile(lockPath, "utf8").catch(() => undefined);
  if (now === content) await unlink(lockPath);
}
