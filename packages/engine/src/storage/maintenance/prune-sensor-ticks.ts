import type { Queryable } from "../runs/queryable";

/** Evaluations older than `cutoff`, except the latest of each sensor (the Automation page shows it). */
const PRUNABLE = `
  FROM lignee.sensor_ticks t
 WHERE t.created_at < $1
   AND t.id < (SELECT max(l.id) FROM lignee.sensor_ticks l WHERE l.sensor = t.sensor)`;

/** Sensor and eager evaluations pruning would delete: rows and bytes of row data. */
export async function countPrunableSensorTicks(
  db: Queryable,
  cutoff: Date,
): Promise<{ rows: number; bytes: number }> {
  const { rows } = await db.query<{ rows: string; bytes: string }>(
    `SELECT count(*) AS rows, coalesce(sum(pg_column_size(t.*)), 0) AS bytes ${PRUNABLE}`,
    [cutoff],
  );
  return { rows: Number(rows[0]!.rows), bytes: Number(rows[0]!.bytes) };
}

/** Deletes at most `limit` of those evaluations; resolves to the rows deleted. */
export async function pruneSensorTicksBatch(
  db: Queryable,
  cutoff: Date,
  limit: number,
): Promise<{ rows: number }> {
  const { rows } = await db.query<{ rows: string }>(
    `WITH doomed AS (SELECT t.id ${PRUNABLE} LIMIT $2),
     deleted AS (
       DELETE FROM lignee.sensor_ticks s USING doomed WHERE s.id = doomed.id
       RETURNING 1)
     SELECT count(*) AS rows FROM deleted`,
    [cutoff, limit],
  );
  return { rows: Number(rows[0]!.rows) };
}
