import { QUEUE_CHANNEL } from "./queue-channel";
import type { Queryable } from "./queryable";
import { RUNNING_BECOME_FAILED } from "./running-to-failed";
import { statusGuard } from "./transitions";

export interface ExpiredRun {
  readonly id: string;
  /** QUEUED again for another attempt, FAILURE when attempts are exhausted, CANCELED if asked. */
  readonly status: "QUEUED" | "FAILURE" | "CANCELED";
  readonly attempt: number;
}

/**
 * reap: STARTED runs whose lease expired, in one statement. A worker's run whose cancellation
 * was asked for ends CANCELED (not retried); otherwise it is QUEUED again with the next attempt
 * while attempts remain, else FAILURE. A run a process executed itself (no worker) cannot be
 * taken over: it ends FAILURE, or CANCELED when asked. Their running marks become failed marks,
 * each gets an event saying what happened, and the workers are woken for the requeued ones. Any
 * process may call it: `SKIP LOCKED` leaves a run another reaper is at to that reaper.
 */
export async function reapExpiredRuns(db: Queryable): Promise<ExpiredRun[]> {
  const result = await db.query<ExpiredRun>(
    `WITH due AS (
       SELECT id, worker_id IS NULL AS local, cancel_requested AS cancel,
              worker_id IS NOT NULL AND NOT cancel_requested AND attempt < max_attempts AS retry
         FROM lignee.runs
         WHERE ${statusGuard("reap")} AND lease_expires_at < now()
         FOR UPDATE SKIP LOCKED),
     ended AS (
       UPDATE lignee.runs r
         SET status = CASE WHEN due.cancel THEN 'CANCELED' WHEN due.retry THEN 'QUEUED' ELSE 'FAILURE' END,
             attempt = CASE WHEN due.retry THEN r.attempt + 1 ELSE r.attempt END,
             ended_at = CASE WHEN due.retry THEN NULL ELSE now() END,
             error = CASE
               WHEN due.retry THEN NULL
               WHEN due.local AND due.cancel THEN 'cancelled (the process running it had stopped heartbeating)'
               WHEN due.local THEN 'the process running it (pid ' || coalesce(r.pid::text, '?') || ' on '
                                   || coalesce(r.hostname, '?') || ') stopped heartbeating (lease expired)'
               WHEN due.cancel THEN 'cancelled (its worker had stopped heartbeating)'
               ELSE 'its worker stopped heartbeating (lease expired) and no attempt is left' END,
             worker_id = NULL, lease_expires_at = NULL, cancel_requested = false
         FROM due
         WHERE r.id = due.id
         RETURNING r.id, r.status, r.attempt, r.error, due.local),
     ${RUNNING_BECOME_FAILED},
     logged AS (
       INSERT INTO lignee.events (run_id, type, level, message)
       SELECT id,
              CASE status WHEN 'QUEUED' THEN 'RUN_RETRY' WHEN 'FAILURE' THEN 'RUN_FAILURE'
                          ELSE 'RUN_CANCELED' END,
              CASE status WHEN 'FAILURE' THEN 'error' ELSE 'warn' END,
              CASE
                WHEN status = 'QUEUED' THEN 'Its worker stopped heartbeating: queued again (attempt ' || attempt || ')'
                WHEN local THEN 'Run ended: ' || error
                WHEN status = 'FAILURE' THEN 'Run failed: its worker stopped heartbeating and no attempt is left'
                ELSE 'Run cancelled (its worker had stopped heartbeating)' END
       FROM ended ORDER BY id)
     SELECT id, status, attempt,
            CASE WHEN status = 'QUEUED' THEN pg_notify($1, id) END AS notified
     FROM ended`,
    [QUEUE_CHANNEL],
  );
  return result.rows.map((r) => ({ id: r.id, status: r.status, attempt: r.attempt }));
}
