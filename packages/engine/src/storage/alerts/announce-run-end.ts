import { scrubCredentials } from "../../util/scrub-credentials";
import type { Queryable } from "../runs/queryable";
import { readEndedRun, type EndedRun } from "./ended-run";
import { recordAlertEvent } from "./record-alert-event";

const MAX_CAUSE = 300;

/**
 * Announces the end of a run, in the transaction that ended it: `run_failed` for a FAILURE
 * (with its root cause, one line, and the path of its page), `schedule_succeeded` for a
 * SUCCESS launched by a schedule (channels choose the schedules they announce). Other ends are
 * not news. Resolves to whether an event was written.
 */
export async function announceRunEnd(db: Queryable, runId: string): Promise<boolean> {
  const run = await readEndedRun(db, runId);
  if (!run) return false;
  if (run.status === "FAILURE") {
    // The cause travels to Slack, webhooks and e-mail: no credentials in it.
    const cause = scrubCredentials(rootCause(run));
    return recordAlertEvent(db, {
      kind: "run_failed",
      dedupeKey: `run_failed:${run.id}`,
      subject: `Run ${run.id.slice(0, 8)} failed: ${cause}`,
      payload: {
        runId: run.id,
        selection: run.selection,
        rootCause: cause,
        launchedBy: describe(run),
        path: `/runs/${run.id}`,
      },
    });
  }
  if (run.status === "SUCCESS" && run.launchedBy === "schedule" && run.launchedByDetail) {
    return recordAlertEvent(db, {
      kind: "schedule_succeeded",
      dedupeKey: `schedule_succeeded:${run.id}`,
      subject: `Schedule ${run.launchedByDetail} succeeded (run ${run.id.slice(0, 8)})`,
      payload: {
        runId: run.id,
        schedule: run.launchedByDetail,
        selection: run.selection,
        path: `/runs/${run.id}`,
      },
    });
  }
  return false;
}

/**
 * SQL: whether `announceRunEnd` would announce the end of a `lignee.runs` row with the status
 * given as parameter `$<status>` (a run finishing). Kept next to it, in step with it.
 */
export function runEndIsNews(status: number): string {
  return `($${status}::text = 'FAILURE' OR ($${status}::text = 'SUCCESS'
    AND launched_by = 'schedule' AND launched_by_detail IS NOT NULL AND launched_by_detail <> ''))`;
}

/** The first failed step's error, else the run's own error, on one line. */
export function rootCause(run: Pick<EndedRun, "firstStepFailure" | "error">): string {
  const text = run.firstStepFailure ?? run.error ?? "failed (no error was recorded)";
  const line = text.split(/\r?\n/).find((l) => l.trim() !== "") ?? text;
  return line.length > MAX_CAUSE ? `${line.slice(0, MAX_CAUSE - 1)}…` : line.trim();
}

function describe(run: EndedRun): string | null {
  if (!run.launchedBy) return null;
  return run.launchedByDetail ? `${run.launchedBy} ${run.launchedByDetail}` : run.launchedBy;
}
