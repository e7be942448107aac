import type { Queryable } from "../runs/queryable";
import {
  FRESHNESS_COLUMNS,
  toFreshnessState,
  type FreshnessRow,
  type FreshnessStateRecord,
} from "./freshness-row";

/** Every recorded freshness state, by asset key. */
export async function listFreshnessStates(db: Queryable): Promise<FreshnessStateRecord[]> {
  const result = await db.query<FreshnessRow>(
    `SELECT ${FRESHNESS_COLUMNS} FROM lignee.freshness_state ORDER BY asset_key`,
  );
  return result.rows.map(toFreshnessState);
}
