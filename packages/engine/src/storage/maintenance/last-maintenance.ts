import type { Queryable } from "../runs/queryable";

/** The latest maintenance run (not a dry run: those are not runs) and the report it stored. */
export interface LastMaintenance {
  readonly runId: string;
  readonly status: string;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
  readonly error: string | null;
  /** The report event's data (`maintenanceReport`), null until the run has written it. */
  readonly report: Record<string, unknown> | null;
}

/** Resolves to undefined when maintenance never ran. */
export async function lastMaintenance(db: Queryable): Promise<LastMaintenance | undefined> {
  const { rows } = await db.query<{
    id: string;
    status: string;
    created_at: Date;
    started_at: Date | null;
    ended_at: Date | null;
    error: string | null;
    report: Record<string, unknown> | null;
  }>(
    `SELECT r.id, r.status, r.created_at, r.started_at, r.ended_at, r.error,
            (SELECT e.data->'maintenanceReport' FROM lignee.events e
              WHERE e.run_id = r.id AND e.data ? 'maintenanceReport'
              ORDER BY e.id DESC LIMIT 1) AS report
       FROM lignee.runs r
      WHERE r.tags->>'lignee/job' = 'maintenance'
      ORDER BY r.created_at DESC, r.id
      LIMIT 1`,
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    runId: r.id,
    status: r.status,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: r.error,
    report: r.report,
  };
}
