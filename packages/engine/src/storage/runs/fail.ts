import type { Queryable } from "./queryable";
import { RUNNING_BECOME_FAILED } from "./running-to-failed";
import { statusGuard } from "./transitions";

/**
 * fail: STARTED → FAILURE for a run whose process is gone, in one statement: its running
 * partitions become failed ones and a RUN_FAILURE event says why. Resolves to whether it failed
 * the run (false when the run had finished meanwhile).
 */
export async function failRun(db: Queryable, runId: string, reason: string): Promise<boolean> {
  const result = await db.query<{ id: string }>(
    `WITH ended AS (
       UPDATE lignee.runs SET status = 'FAILURE', ended_at = now(), error = $2::text
       WHERE id = $1 AND ${statusGuard("fail")}
       RETURNING id),
     ${RUNNING_BECOME_FAILED},
     logged AS (
       INSERT INTO lignee.events (run_id, type, level, message)
       SELECT id, 'RUN_FAILURE', 'error', 'Run failed: ' || $2::text FROM ended)
     SELECT id FROM ended`,
    [runId, reason],
  );
  return result.rows.length > 0;
}

/**
 * Runs left STARTED on `hostname` by a process of its own (no worker holds them: a worker's runs
 * are the reaper's). The caller decides which processes are gone.
 */
export async function startedLocalRuns(
  db: Queryable,
  hostname: string,
): Promise<{ id: string; pid: number | null }[]> {
  const result = await db.query<{ id: string; pid: number | null }>(
    `SELECT id, pid FROM lignee.runs
     WHERE status = 'STARTED' AND hostname = $1 AND worker_id IS NULL`,
    [hostname],
  );
  return result.rows;
}
