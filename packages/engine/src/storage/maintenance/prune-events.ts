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

/** The runs that ended before `cutoff` and still have events, in id order. */
export async function runsWithPrunableEvents(db: Queryable, cutoff: Date): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT r.id FROM lignee.runs r
      WHERE r.ended_at < $1
        AND EXISTS (SELECT 1 FROM lignee.events e WHERE e.run_id = r.id)
      ORDER BY r.id`,
    [cutoff],
  );
  return rows.map((r) => r.id);
}

/**
 * Deletes at most `limit` events of one run, those after the event `afterId`, in one short
 * statement (a batch: no lock held over millions of rows), through the (run_id, id) index;
 * resolves to the rows deleted and the last id deleted (the next batch starts after it).
 */
export async function pruneRunEventsBatch(
  db: Queryable,
  runId: string,
  afterId: number,
  limit: number,
): Promise<{ rows: number; lastId: number }> {
  const { rows } = await db.query<{ rows: string; last_id: string | null }>(
    `WITH doomed AS (
       SELECT id FROM lignee.events
        WHERE run_id = $1 AND id > $2
        ORDER BY id LIMIT $3),
     deleted AS (
       DELETE FROM lignee.events e USING doomed WHERE e.id = doomed.id
       RETURNING e.id)
     SELECT count(*) AS rows, max(id) AS last_id FROM deleted`,
    [runId, afterId, limit],
  );
  const row = rows[0]!;
  return { rows: Number(row.rows), lastId: row.last_id === null ? afterId : Number(row.last_id) };
}
