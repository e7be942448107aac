import type { Queryable } from "../runs/queryable";

export interface CheckOutcomeCount {
  readonly assetKey: string;
  readonly severity: "error" | "warn";
  readonly passed: boolean;
  /** Checks of the asset whose latest result is this outcome. */
  readonly count: number;
}

/**
 * The latest result of every check of every asset (the newest evaluation, whichever partition
 * it checked), counted by asset, severity and outcome. The results table keeps every evaluation
 * of every partition, so it is not scanned: a loose index scan over `check_results_asset_idx`
 * (asset, check, id) visits each (asset, check) once and reads its newest result, a few index
 * probes per check however long the history.
 */
export async function checkOutcomes(db: Queryable): Promise<CheckOutcomeCount[]> {
  const result = await db.query<{
    asset_key: string;
    severity: string;
    passed: boolean;
    n: number;
  }>(
    `WITH RECURSIVE checks AS (
       (SELECT asset_key, check_name FROM lignee.check_results
        ORDER BY asset_key, check_name LIMIT 1)
       UNION ALL
       SELECT next.asset_key, next.check_name
       FROM checks
       CROSS JOIN LATERAL (
         SELECT asset_key, check_name FROM lignee.check_results c
         WHERE (c.asset_key, c.check_name) > (checks.asset_key, checks.check_name)
         ORDER BY asset_key, check_name LIMIT 1) AS next
     )
     SELECT latest.asset_key, latest.severity, latest.passed, count(*)::int AS n
     FROM checks
     CROSS JOIN LATERAL (
       SELECT asset_key, severity, passed FROM lignee.check_results c
       WHERE c.asset_key = checks.asset_key AND c.check_name = checks.check_name
       ORDER BY id DESC LIMIT 1) AS latest
     GROUP BY latest.asset_key, latest.severity, latest.passed`,
  );
  return result.rows.map((r) => ({
    assetKey: r.asset_key,
    severity: r.severity === "warn" ? "warn" : "error",
    passed: r.passed,
    count: r.n,
  }));
}
