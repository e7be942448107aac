import { targetColumn, type CancelTarget } from "./cancel-target";
import type { Queryable } from "./queryable";
import { statusGuard } from "./transitions";

/** What a cancelled queued run records: its error and its RUN_CANCELED event's message. */
export interface CancelReason {
  readonly error: string;
  readonly message: string;
}

/**
 * cancel-queued: QUEUED → CANCELED, with a RUN_CANCELED event, in one statement. Row locks taken
 * by a worker claiming a run make it wait for the claim; the run is STARTED then and left to
 * `requestCancelRuns`. Resolves to the number of runs cancelled.
 */
export async function cancelQueuedRuns(
  db: Queryable,
  target: CancelTarget,
  reason: CancelReason,
): Promise<number> {
  const { column, value } = targetColumn(target);
  const result = await db.query(
    `WITH done AS (
       UPDATE lignee.runs SET status = 'CANCELED', ended_at = now(), error = $2
       WHERE ${column} = $1 AND ${statusGuard("cancelQueued")}
       RETURNING id)
     INSERT INTO lignee.events (run_id, type, level, message)
     SELECT id, 'RUN_CANCELED', 'warn', $3 FROM done`,
    [value, reason.error, reason.message],
  );
  return result.rowCount ?? 0;
}
