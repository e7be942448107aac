import type { Queryable } from "../runs/queryable";

/** What storage knows of one day, for the daily summary. */
export interface DayFacts {
  /** Rows materialised per asset (metadata `rows`, `row_count` or `rows_affected`). */
  readonly rowsByAsset: Readonly<Record<string, number>>;
  readonly materializations: number;
  readonly runsSucceeded: number;
  readonly runsFailed: number;
  /** Failed check results, per `asset:check`. */
  readonly checksFailed: Readonly<Record<string, number>>;
}

/**
 * Facts of the window [from, to): materialisations recorded in it (with their row counts),
 * runs that ended in it, check results that failed in it. One statement.
 */
export async function readDayFacts(db: Queryable, from: Date, to: Date): Promise<DayFacts> {
  const result = await db.query<{
    rows: Record<string, string | number> | null;
    materializations: string;
    succeeded: string;
    failed: string;
    checks: Record<string, string | number> | null;
  }>(
    `WITH m AS (
       SELECT asset_key,
              coalesce(metadata->>'rows', metadata->>'row_count', metadata->>'rows_affected') AS n
       FROM lignee.materializations WHERE created_at >= $1 AND created_at < $2),
     per_asset AS (
       SELECT asset_key, sum(CASE WHEN n ~ '^[0-9]+$' THEN n::bigint ELSE 0 END) AS rows
       FROM m GROUP BY asset_key),
     failed_checks AS (
       SELECT asset_key || ':' || check_name AS name, count(*) AS n
       FROM lignee.check_results
       WHERE NOT passed AND created_at >= $1 AND created_at < $2
       GROUP BY 1)
     SELECT (SELECT jsonb_object_agg(asset_key, rows) FROM per_asset) AS rows,
            (SELECT count(*) FROM m) AS materializations,
            (SELECT count(*) FROM lignee.runs
              WHERE status = 'SUCCESS' AND ended_at >= $1 AND ended_at < $2) AS succeeded,
            (SELECT count(*) FROM lignee.runs
              WHERE status = 'FAILURE' AND ended_at >= $1 AND ended_at < $2) AS failed,
            (SELECT jsonb_object_agg(name, n) FROM failed_checks) AS checks`,
    [from, to],
  );
  const row = result.rows[0]!;
  return {
    rowsByAsset: numbers(row.rows),
    materializations: Number(row.materializations),
    runsSucceeded: Number(row.succeeded),
    runsFailed: Number(row.failed),
    checksFailed: numbers(row.checks),
  };
}

function numbers(o: Record<string, string | number> | null): Record<string, number> {
  return Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, Number(v)]));
}
