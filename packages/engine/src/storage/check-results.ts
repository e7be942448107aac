import type pg from "pg";
import type { CheckResultInput, CheckResultRecord } from "./storage";

/** Check results, the part of `Storage` about asset checks: one row per evaluation. */
export class CheckResults {
  constructor(private readonly pool: pg.Pool) {}

  async record(input: CheckResultInput): Promise<void> {
    await this.pool.query(
      `INSERT INTO lignee.check_results
         (run_id, asset_key, partition_key, check_name, passed, severity, description, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [
        input.runId,
        input.assetKey,
        input.partitionKey ?? "",
        input.checkName,
        input.passed,
        input.severity,
        input.description ?? null,
        JSON.stringify(input.metadata ?? {}),
      ],
    );
  }

  async latest(assetKey?: string, partitionKey?: string): Promise<CheckResultRecord[]> {
    const result = await this.pool.query<{
      run_id: string;
      asset_key: string;
      partition_key: string;
      check_name: string;
      passed: boolean;
      severity: string;
      description: string | null;
      metadata: Record<string, unknown>;
      created_at: Date;
    }>(
      `SELECT DISTINCT ON (asset_key, check_name, partition_key) run_id, asset_key, partition_key, check_name, passed,
              severity, description, metadata, created_at
       FROM lignee.check_results
       WHERE ($1::text IS NULL OR asset_key = $1) AND ($2::text IS NULL OR partition_key = $2)
       ORDER BY asset_key, check_name, partition_key, id DESC`,
      [assetKey ?? null, partitionKey ?? null],
    );
    return result.rows.map((r) => ({
      runId: r.run_id,
      assetKey: r.asset_key,
      partitionKey: r.partition_key,
      checkName: r.check_name,
      passed: r.passed,
      severity: r.severity === "warn" ? "warn" : "error",
      description: r.description,
      metadata: r.metadata,
      createdAt: r.created_at,
    }));
  }
}
