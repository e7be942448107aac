import { QUEUE_CHANNEL } from "./queue-channel";
import type { Queryable } from "./queryable";
import { statusGuard } from "./transitions";

/**
 * release (requeue): STARTED → QUEUED with the same attempt, in one statement: the worker is
 * shutting down cleanly and another one will execute the run. Its running marks are dropped
 * (the next worker claims its partitions again), a RUN_REQUEUED event is logged and the
 * workers are woken. Resolves to whether the worker held the run.
 */
export async function releaseRun(db: Queryable, runId: string, workerId: string): Promise<boolean> {
  const result = await db.query<{ id: string }>(
    `WITH released AS (
       UPDATE lignee.runs SET status = 'QUEUED', worker_id = NULL, lease_expires_at = NULL
       WHERE id = $1 AND worker_id = $2 AND ${statusGuard("release")}
       RETURNING id),
     cleared AS (
       DELETE FROM lignee.asset_running WHERE run_id IN (SELECT id FROM released)),
     logged AS (
       INSERT INTO lignee.events (run_id, type, level, message)
       SELECT id, 'RUN_REQUEUED', 'warn', 'Its worker is shutting down: queued again for another worker'
       FROM released)
     SELECT id, pg_notify($3, id) FROM released`,
    [runId, workerId, QUEUE_CHANNEL],
  );
  return result.rows.length > 0;
}
