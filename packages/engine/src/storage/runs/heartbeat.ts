import type { Queryable } from "./queryable";
import { statusGuard } from "./transitions";

export interface LeaseState {
  /** False when the lease expired or the run was taken away: the worker must stop. */
  readonly held: boolean;
  readonly cancelRequested: boolean;
}

/**
 * heartbeat: STARTED stays STARTED with its lease renewed. A worker's run (`workerId`) only while
 * that worker still holds the lease; a run this process executes itself (`workerId` null) while
 * it is STARTED. Not held when the run was taken away or ended meanwhile (its lease had run out
 * and a reaper requeued or failed it): the caller must stop it.
 */
export async function heartbeatRun(
  db: Queryable,
  runId: string,
  workerId: string | null,
  leaseMs: number,
): Promise<LeaseState> {
  const result = await db.query<{ cancel_requested: boolean }>(
    `UPDATE lignee.runs SET lease_expires_at = now() + $3 * interval '1 millisecond'
     WHERE id = $1 AND ${statusGuard("heartbeat")}
       AND CASE WHEN $2::text IS NULL THEN worker_id IS NULL
                ELSE worker_id = $2 AND lease_expires_at > now() END
     RETURNING cancel_requested`,
    [runId, workerId, leaseMs],
  );
  const row = result.rows[0];
  return { held: row !== undefined, cancelRequested: row?.cancel_requested ?? false };
}
