import { IntervalSet } from "../../partitions/interval-set";
import type { Queryable } from "../runs/queryable";

/** The partitions of an asset whose latest result of an `error` check failed. */
export interface FailedCheck {
  readonly checkName: string;
  /** Their indices (0 for an unpartitioned asset). */
  readonly partitions: IntervalSet;
  /** Keys of failed partitions recorded without an index (e.g. results stored by hand). */
  readonly unindexedKeys: readonly string[];
}

/**
 * Per asset, the enabled `error` checks whose latest result failed, with the partitions they
 * failed on: what holds the downstream. Reads only the failed rows of `check_latest` (a partial
 * index), so thousands of passing partitions cost nothing.
 */
export async function failedErrorChecks(db: Queryable): Promise<Map<string, FailedCheck[]>> {
  const result = await db.query<{
    asset_key: string;
    check_name: string;
    indices: number[];
    unindexed: string[];
  }>(
    `SELECT l.asset_key, l.check_name,
            array_agg(l.partition_index) FILTER (WHERE l.partition_index >= 0) AS indices,
            array_agg(l.partition_key) FILTER (WHERE l.partition_index < 0) AS unindexed
     FROM lignee.check_latest l
     WHERE NOT l.passed AND l.severity = 'error'
       AND NOT EXISTS (SELECT 1 FROM lignee.check_switches s
         WHERE s.asset_key = l.asset_key AND s.check_name = l.check_name AND NOT s.enabled)
     GROUP BY l.asset_key, l.check_name
     ORDER BY l.asset_key, l.check_name`,
  );
  const out = new Map<string, FailedCheck[]>();
  for (const r of result.rows) {
    const list = out.get(r.asset_key) ?? [];
    list.push({
      checkName: r.check_name,
      partitions: IntervalSet.fromIndices(r.indices ?? []),
      unindexedKeys: r.unindexed ?? [],
    });
    out.set(r.asset_key, list);
  }
  return out;
}
