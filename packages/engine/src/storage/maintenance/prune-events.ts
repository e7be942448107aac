import type { Queryable } from "../runs/queryable";

/** Rows, their size (bytes of row data, `pg_column_size`) and the runs they belong to. */
export interface PrunableEvents {
  readonly runs: number;
  readonly rows: number;
  readonly bytes: number;
}

/**
 * The events (run logs) of runs that ended before `cutoff`: what pruning deletes. Runs still
 * queued or running have no end, so their events are never counted. Materialisations, check
 * results, the latest-status tables and the runs themselves are other tables: they stay.
 */
export async function countPrunableEvents(db: Queryable, cutoff: Date): Promise<PrunableEvents> {
  const { rows } = await db.query<{ runs: string; rows: string; bytes: string }>(
    `SELECT count(DISTINCT e.run_id) AS runs, count(*) AS rows,
            coalesce(sum(pg_column_size(e.*)), 0) AS bytes
       FROM lignee.runs r
       JOIN lignee.events e ON e.run_id = r.id
      WHERE r.ended_at < $1`,
    [cutoff],
  );
  const row = rows[0]!;
  return { runs: Number(row.runs), rows: Number(row.rows), bytes: Number(row.bytes) };
}

/**
 * Deletes at most `limit` events of runs that ended before `cutoff`, in one short statement
 * (a batch: no lock held over millions of rows); resolves to the rows it deleted.
 * Called until it deletes nothing.
 */
export async function pruneEventsBatch(
  db: Queryable,
  cutoff: Date,
  limit: number,
): Promise<{ rows: number }> {
  const { rows } = await db.query<{ rows: string }>(
    `WITH doomed AS (
       SELECT e.id
         FROM lignee.runs r
         JOIN lignee.events e ON e.run_id = r.id
        WHERE r.ended_at < $1
        LIMIT $2),
     deleted AS (
       DELETE FROM lignee.events e USING doomed WHERE e.id = doomed.id
       RETURNING 1)
     SELECT count(*) AS rows FROM deleted`,
    [cutoff, limit],
  );
  return { rows: Number(rows[0]!.rows) };
}
