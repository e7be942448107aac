import type { Queryable } from "../runs/queryable";

/** Audit lines older than `cutoff`: rows and bytes of row data. */
export async function countPrunableAudit(
  db: Queryable,
  cutoff: Date,
): Promise<{ rows: number; bytes: number }> {
  const { rows } = await db.query<{ rows: string; bytes: string }>(
    `SELECT count(*) AS rows, coalesce(sum(pg_column_size(a.*)), 0) AS bytes
     FROM lignee.audit_events a WHERE a.at < $1`,
    [cutoff],
  );
  return { rows: Number(rows[0]!.rows), bytes: Number(rows[0]!.bytes) };
}

/** Deletes at most `limit` audit lines older than `cutoff`, oldest first; the rows deleted. */
export async function pruneAuditBatch(
  db: Queryable,
  cutoff: Date,
  limit: number,
): Promise<{ rows: number }> {
  const { rows } = await db.query<{ rows: string }>(
    `WITH doomed AS (
       SELECT id FROM lignee.audit_events WHERE at < $1 ORDER BY at LIMIT $2),
     deleted AS (
       DELETE FROM lignee.audit_events a USING doomed WHERE a.id = doomed.id RETURNING 1)
     SELECT count(*) AS rows FROM deleted`,
    [cutoff, limit],
  );
  return { rows: Number(rows[0]!.rows) };
}
