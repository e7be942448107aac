import type { Queryable } from "../runs/queryable";

/** What an announcement of a run's end needs to know of it. */
export interface EndedRun {
  readonly id: string;
  readonly status: string;
  readonly selection: string;
  readonly error: string | null;
  readonly launchedBy: string | null;
  readonly launchedByDetail: string | null;
  /** The message of its first failed step, e.g. `Failed raw/offres[2024-08-05]: HTTP 503`. */
  readonly firstStepFailure: string | null;
}

/** A run as it ended (read in the transaction that ended it), with its first step failure. */
export async function readEndedRun(db: Queryable, runId: string): Promise<EndedRun | undefined> {
  const result = await db.query<EndedRun>(
    `SELECT r.id, r.status, r.selection, r.error,
            r.launched_by AS "launchedBy", r.launched_by_detail AS "launchedByDetail",
            (SELECT e.message FROM lignee.events e
              WHERE e.run_id = r.id AND e.type = 'STEP_FAILURE'
              ORDER BY e.id LIMIT 1) AS "firstStepFailure"
     FROM lignee.runs r WHERE r.id = $1`,
    [runId],
  );
  return result.rows[0];
}
