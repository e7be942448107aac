import type pg from "pg";
import { checkHistory, type CheckHistoryOptions } from "./checks/check-history";
import {
  CHECK_RESULT_COLUMNS,
  checkResultOf,
  type CheckResultRow,
} from "./checks/check-result-row";
import { failedErrorChecks, type FailedCheck } from "./checks/failed-checks";
import { recordCheckResults } from "./checks/record-check-results";
import { inTransaction } from "./transaction";
import type { CheckResultInput, CheckResultRecord } from "./storage";

/** Check results, the part of `Storage` about asset checks: one row per evaluation. */
export class CheckResults {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Writes results, and the alerts of failures with them in one transaction. Results that all
   * passed announce nothing: their one statement is atomic on its own, and the common case
   * (a check passing after each partition) costs a single round trip.
   */
  async record(inputs: readonly CheckResultInput[]): Promise<number> {
    if (inputs.length === 0) return 0;
    if (inputs.every((r) => r.passed)) return recordCheckResults(this.pool, inputs);
    return inTransaction(this.pool, "check results", (tx) => recordCheckResults(tx, inputs));
  }

  async latest(assetKey?: string, partitionKey?: string): Promise<CheckResultRecord[]> {
    const result = await this.pool.query<CheckResultRow>(
      `SELECT DISTINCT ON (asset_key, check_name, partition_key) ${CHECK_RESULT_COLUMNS}
       FROM lignee.check_results
       WHERE ($1::text IS NULL OR asset_key = $1) AND ($2::text IS NULL OR partition_key = $2)
       ORDER BY asset_key, check_name, partition_key, id DESC`,
      [assetKey ?? null, partitionKey ?? null],
    );
    return result.rows.map(checkResultOf);
  }

  history(options: CheckHistoryOptions): Promise<CheckResultRecord[]> {
    return checkHistory(this.pool, options);
  }

  failedErrorChecks(): Promise<Map<string, FailedCheck[]>> {
    return failedErrorChecks(this.pool);
  }
}
