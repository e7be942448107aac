import type { Queryable } from "../runs/queryable";
import type { CheckResultRecord } from "../storage";
import { checkResultOf, CHECK_RESULT_COLUMNS, type CheckResultRow } from "./check-result-row";

export interface CheckHistoryOptions {
  readonly assetKey: string;
  readonly checkName: string;
  /** One partition's results; left out: every partition's. */
  readonly partitionKey?: string;
  /** Default 50. */
  readonly limit?: number;
  /** Paging: only results older than this id (the last id of the previous page). */
  readonly beforeId?: number;
}

/** The results of one check, newest first, one page at a time (index-only order on id). */
export async function checkHistory(
  db: Queryable,
  options: CheckHistoryOptions,
): Promise<CheckResultRecord[]> {
  const result = await db.query<CheckResultRow>(
    `SELECT ${CHECK_RESULT_COLUMNS} FROM lignee.check_results
     WHERE asset_key = $1 AND check_name = $2
       AND ($3::text IS NULL OR partition_key = $3)
       AND ($4::bigint IS NULL OR id < $4)
     ORDER BY id DESC LIMIT $5`,
    [
      options.assetKey,
      options.checkName,
      options.partitionKey ?? null,
      options.beforeId ?? null,
      options.limit ?? 50,
    ],
  );
  return result.rows.map(checkResultOf);
}
