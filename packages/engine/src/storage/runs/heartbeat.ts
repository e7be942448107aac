import type { Queryable } from "./queryable";
import { statusGuard } from "./transitions";

export interface LeaseState {
  /** False when the lease expired or the run was taken away: the worker must stop. */
  readonly held: boolean;
  readonly cancelRequested: boolean;
}

/**
 * heartbeat, of a run this process executes itself (no worker): its lease is renewed while it
 * is STARTED. Not held when the run was ended meanwhile (its lease had run out and a reaper
 * failed it): the process must stop it.
 */
export async function heartbeatLocalRun(
  db: Queryable,
  runId: string,
  leaseMs: number,
): Promise<LeaseState> {
  const result = await db.query<{ cancel_requested: boolean }>(
    `UPDATE lignee.runs SET lease_expires_at = now() + $2 * interval '1 millisecond'
     WHERE id = $1 AND worker_id IS NULL AND ${statusGuard("heartbeat")}
     RETURNING cancel_requested`,
    [runId, leaseMs],
  );
  const row = result.rows[0];
  return { held: row !== undefined, cancelRequested: row?.cancel_requested ?? false };
}

/** heartbeat: STARTED stays STARTED with its lease renewed, while the worker still holds it. */
export async function heartbeatRun(
  db: Queryable,
  runId: string,
  workerId: string,
  leaseMs: number,
): Promise<LeaseState> {
  const result = await db.query<{ cancel_requested: boolean }>(
    `UPDATE lignee.runs SET lease_expires_at = now() + $3 * interval '1 millisecond'
     WHERE id = $1 AND worker_id = $2 AND ${statusGuard("heartbeat")} AND lease_expires_at > now()
     RETURNING cancel_requested`,
    [runId, workerId, leaseMs],
  );
  const row = result.rows[0];
  return { held: row !== undefined, cancelRequested: row?.cancel_requested ?? false };
}
