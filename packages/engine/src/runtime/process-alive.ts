import { existsSync, readFileSync } from "node:fs";

/**
 * Whether process `pid` still runs. A process of another user counts (EPERM); a zombie (exited,
 * not yet reaped by its parent: e.g. an orphan in a container whose init does not reap) does not.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  try {
    if (!existsSync(stat)) return false;
    // "<pid> (<command>) <state> …": the command may contain spaces and parentheses.
    const text = readFileSync(stat, "utf8");
    return text.slice(text.lastIndexOf(")") + 2)[0] === "Z";
  } catch {
    return false; // exited while being read, or no /proc (macOS): kill(pid, 0) decided
  }
}
