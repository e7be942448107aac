import type { Queryable } from "../runs/queryable";

/** The metadata entries a materialisation reports its row count under, in order of preference. */
export const ROW_COUNT_KEYS = ["rows", "row_count", "rows_affected"] as const;

/**
 * Per asset, the row count its latest materialisation recorded (for a partitioned asset, the
 * partition written last): its metadata's `rows`, else `row_count` (a dbt model's partition),
 * else `rows_affected` (a dbt build). Assets whose latest materialisation reports none are
 * absent. One row per asset, through each asset's digest, which points at its latest
 * materialisation: one primary-key lookup per asset, never a scan of the materialisations (a
 * join lets the planner hash the whole table).
 */
export async function latestRowCounts(db: Queryable): Promise<Map<string, number>> {
  const result = await db.query<{ asset_key: string; rows: string | null }>(
    `SELECT d.asset_key,
            (SELECT COALESCE(m.metadata ->> 'rows', m.metadata ->> 'row_count',
                             m.metadata ->> 'rows_affected')
             FROM lignee.materializations m WHERE m.id = d.last_materialization_id) AS rows
     FROM lignee.asset_digests d`,
  );
  const out = new Map<string, number>();
  for (const row of result.rows) {
    const n = row.rows === null ? NaN : Number(row.rows);
    if (Number.isFinite(n)) out.set(row.asset_key, n);
  }
  return out;
}
