import type { Storage } from "../storage/storage";

/**
 * Keeps the lease of a run this process executes itself (renewed every third of it), so that
 * other runs know it is alive; stops the run through `abort` when a cancel was asked for (the
 * API, the UI) or when the run was ended elsewhere because its lease had run out. Returns the
 * function that stops renewing.
 */
export function keepLocalLease(
  storage: Pick<Storage, "heartbeatRun">,
  runId: string,
  leaseMs: number,
  abort: (reason: Error) => void,
): () => void {
  let busy = false;
  const timer = setInterval(
    () => {
      // One renewal at a time; a database that does not answer is tried again at the next tick.
      if (busy) return;
      busy = true;
      storage
        .heartbeatRun(runId, leaseMs)
        .then((state) => {
          if (!state.held) abort(new Error("the run was ended elsewhere (its lease had run out)"));
          else if (state.cancelRequested) abort(new Error("cancelled on request"));
        })
        .catch(() => undefined)
        .finally(() => (busy = false));
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return () => clearInterval(timer);
}
