import type { Queryable } from "../runs/queryable";
import {
  FRESHNESS_COLUMNS,
  toFreshnessState,
  type FreshnessRow,
  type FreshnessStateRecord,
} from "./freshness-row";

/**
 * Inside a transaction: an asset's freshness row, created `fresh` when absent, locked until the
 * transaction ends, so that a second scheduler deciding the same transition waits and then
 * sees it made. Two statements: a row another transaction inserts concurrently is only
 * visible to the next statement.
 */
export async function lockFreshnessState(
  db: Queryable,
  assetKey: string,
): Promise<FreshnessStateRecord> {
  await db.query(
    `INSERT INTO lignee.freshness_state (asset_key, state) VALUES ($1, 'fresh')
     ON CONFLICT (asset_key) DO NOTHING`,
    [assetKey],
  );
  const result = await db.query<FreshnessRow>(
    `SELECT ${FRESHNESS_COLUMNS} FROM lignee.freshness_state WHERE asset_key = $1 FOR UPDATE`,
    [assetKey],
  );
  return toFreshnessState(result.rows[0]!);
}
