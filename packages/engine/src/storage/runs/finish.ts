import { CHANGES_CHANNEL } from "../changes-channel";
import type { RunFence } from "../storage";
import type { Queryable } from "./queryable";
import { runEndIsNews } from "../alerts/announce-run-end";
import { statusGuard } from "./transitions";

export type RunOutcome = "SUCCESS" | "FAILURE" | "CANCELED";

/**
 * finish: STARTED → SUCCESS / FAILURE / CANCELED. With a fence (a worker's claimed run), only
 * while the worker still holds the lease; without one (a run this process executes itself),
 * whoever finishes it. Resolves to whether the run was finished. A finished run notifies
 * `CHANGES_CHANNEL` (on commit): what waited for it may start.
 */
export async function finishRun(
  db: Queryable,
  runId: string,
  outcome: RunOutcome,
  error: string | undefined,
  fence?: Pick<RunFence, "workerId">,
): Promise<boolean> {
  const result = await db.query(
    `WITH finished AS (
       UPDATE lignee.runs
       SET status = $2, error = coalesce($3, error), ended_at = now(), lease_expires_at = NULL
       WHERE id = $1 AND ${statusGuard("finish")}
         AND ($4::text IS NULL OR (worker_id = $4 AND lease_expires_at > now()))
       RETURNING id)
     SELECT pg_notify($5, 'run:' || id) FROM finished`,
    [runId, outcome, error ?? null, fence?.workerId ?? null, CHANGES_CHANNEL],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * finish, in one statement of its own, when the end of the run is not news (`announceRunEnd`
 * would announce nothing: a success not launched by a schedule, a cancellation), for a run this
 * process executes itself. Resolves to false, finishing nothing, when it is news (or the run is
 * not STARTED): the caller then finishes it with its announcement in one transaction.
 */
export async function finishQuietly(
  db: Queryable,
  runId: string,
  outcome: RunOutcome,
  error: string | undefined,
): Promise<boolean> {
  const result = await db.query({
    name: "lignee_finish_quietly",
    text: `WITH finished AS (${finishQuietlyStatement(2, 3)} RETURNING id)
           SELECT pg_notify('${CHANGES_CHANNEL}', 'run:' || id) FROM finished`,
    values: [runId, outcome, error ?? null],
  });
  return (result.rowCount ?? 0) > 0;
}

/** The UPDATE of `finishQuietly`: run `$1`, outcome `$<outcome>`, error `$<error>`. */
export function finishQuietlyStatement(outcome: number, error: number): string {
  return `UPDATE lignee.runs
     SET status = $${outcome}, error = coalesce($${error}::text, error), ended_at = now(),
         lease_expires_at = NULL
     WHERE id = $1 AND ${statusGuard("finish")} AND NOT ${runEndIsNews(outcome)}`;
}
