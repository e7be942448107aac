/**
 * Sends `signal` to the process group `pid` leads (a child spawned `detached`, with what it
 * started: dbt's threads, Spark's JVM); a group already gone is left alone.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
