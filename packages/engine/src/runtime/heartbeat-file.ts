import { writeFile } from "node:fs/promises";

/**
 * A process with no port (worker, scheduler) proves it is alive by rewriting a file each time
 * its loop completes a round; a container health check reads how old the file is
 * (`scripts/healthcheck.mjs heartbeat`). Returns the function to call at each healthy round:
 * it writes at most every `everyMs`, and does nothing without a file.
 *
 * @example
 * const alive = heartbeatFile(process.env.LIGNEE_HEARTBEAT_FILE);
 * alive(); // after each loop round that went well
 */
export function heartbeatFile(file: string | undefined, everyMs = 5_000): () => void {
  if (!file) return () => undefined;
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    // A failed write shows as a stale file, which is the signal wanted.
    writeFile(file, `${new Date(now).toISOString()}\n`).catch(() => undefined);
  };
}
