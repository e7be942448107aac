import type { LeaseState } from "../storage/runs/heartbeat";
import type { Storage } from "../storage/storage";

export interface LeaseKeeping {
  /** Renews the lease; tells whether it is still held and whether a cancel was asked for. */
  readonly renew: () => Promise<LeaseState>;
  readonly everyMs: number;
  /** The run was taken away or ended elsewhere (its lease had run out). */
  readonly onLost: () => void;
  /** A cancel was asked for (the API, the UI, a backfill's cancel). */
  readonly onCancel: () => void;
}

/**
 * Keeps a run's lease while it executes, for a worker's run and a run this process executes
 * itself alike: one renewal at a time (a database that does not answer is tried again at the
 * next tick; the lease covers a few misses). Returns the function that stops renewing.
 */
export function keepLease(keeping: LeaseKeeping): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    keeping
      .renew()
      .then((state) => {
        if (!state.held) keeping.onLost();
        else if (state.cancelRequested) keeping.onCancel();
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, keeping.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The lease of a run this process executes itself (renewed every third of it), so that other
 * runs know it is alive; `abort` stops the run when a cancel was asked for or the run was ended
 * elsewhere because its lease had run out.
 */
export function keepLocalLease(
  storage: Pick<Storage, "heartbeatRun">,
  runId: string,
  leaseMs: number,
  abort: (reason: Error) => void,
): () => void {
  return keepLease({
    renew: () => storage.heartbeatRun(runId, leaseMs),
    everyMs: Math.max(50, Math.floor(leaseMs / 3)),
    onLost: () => abort(new Error("the run was ended elsewhere (its lease had run out)")),
    onCancel: () => abort(new Error("cancelled on request")),
  });
}
