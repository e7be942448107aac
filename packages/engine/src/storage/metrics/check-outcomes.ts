import type { Queryable } from "../runs/queryable";

export interface CheckOutcomeCount {
  readonly assetKey: string;
  readonly severity: "error" | "warn";
  readonly passed: boolean;
  /** Checks (one per check and partition) whose latest result is this outcome. */
  readonly count: number;
}

/**
 * The latest result of every check of every asset (per partition), counted by asset, severity
 * and outcome.
 */
export async function checkOutcomes(db: Queryable): Promise<CheckOutcomeCount[]> {
  const result = await db.query<{
    asset_key: string;
    severity: string;
    passed: boolean;
    n: number;
  }>(
    `SELECT asset_key, severity, passed, count(*)::int AS n
     FROM (SELECT DISTINCT ON (asset_key, check_name, partition_key) asset_key, severity, passed
           FROM lignee.check_results
           ORDER BY asset_key, check_name, partition_key, id DESC) AS latest
     GROUP BY asset_key, severity, passed`,
  );
  return result.rows.map((r) => ({
    assetKey: r.asset_key,
    severity: r.severity === "warn" ? "warn" : "error",
    passed: r.passed,
    count: r.n,
  }));
}
