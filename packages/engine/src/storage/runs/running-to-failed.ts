/**
 * CTEs, for a statement that ends runs abnormally: the running marks of the runs named by the
 * CTE `ended` (a column `id`) are deleted and become failed marks, merged per asset (several
 * ended runs may hold partitions of one asset, and an upsert may touch a row only once).
 *
 * @example
 * `WITH ended AS (UPDATE lignee.runs … RETURNING id), ${RUNNING_BECOME_FAILED} SELECT …`
 */
export const RUNNING_BECOME_FAILED = `
  cleared AS (
    DELETE FROM lignee.asset_running WHERE run_id IN (SELECT id FROM ended)
    RETURNING asset_key, partitions),
  failed AS (
    INSERT INTO lignee.asset_failed (asset_key, partitions)
    SELECT c.asset_key, range_agg(r) FROM cleared c, unnest(c.partitions) AS r GROUP BY c.asset_key
    ON CONFLICT (asset_key) DO UPDATE SET partitions = asset_failed.partitions + excluded.partitions)`;
