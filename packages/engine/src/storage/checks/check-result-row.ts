import type { CheckResultRecord } from "../storage";

/** The columns of `check_results` a `CheckResultRecord` is read from. */
export const CHECK_RESULT_COLUMNS = `id, run_id, asset_key, partition_key, check_name, passed,
  severity, description, metadata, duration_ms, created_at`;

export interface CheckResultRow {
  id: string;
  run_id: string;
  asset_key: string;
  partition_key: string;
  check_name: string;
  passed: boolean;
  severity: string;
  description: string | null;
  metadata: Record<string, unknown>;
  duration_ms: number | null;
  created_at: Date;
}

export function checkResultOf(r: CheckResultRow): CheckResultRecord {
  return {
    id: Number(r.id),
    runId: r.run_id,
    assetKey: r.asset_key,
    partitionKey: r.partition_key,
    checkName: r.check_name,
    passed: r.passed,
    severity: r.severity === "warn" ? "warn" : "error",
    description: r.description,
    metadata: r.metadata,
    durationMs: r.duration_ms,
    createdAt: r.created_at,
  };
}
