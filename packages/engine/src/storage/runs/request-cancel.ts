import { targetColumn, type CancelTarget } from "./cancel-target";
import type { Queryable } from "./queryable";
import { statusGuard } from "./transitions";

/**
 * request-cancel: STARTED stays STARTED with `cancel_requested` set; the worker executing it
 * sees it at its next heartbeat (the reaper ends it CANCELED if that worker is gone). Resolves
 * to the number of runs asked to stop.
 */
export async function requestCancelRuns(db: Queryable, target: CancelTarget): Promise<number> {
  const { column, value } = targetColumn(target);
  const result = await db.query(
    `UPDATE lignee.runs SET cancel_requested = true
     WHERE ${column} = $1 AND ${statusGuard("requestCancel")}`,
    [value],
  );
  return result.rowCount ?? 0;
}
