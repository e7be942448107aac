import { scrubCredentials } from "../../util/scrub-credentials";
import type { Queryable } from "../runs/queryable";
import { recordAlertEvent } from "../alerts/record-alert-event";
import type { CheckResultInput } from "../storage";

/**
 * Writes check results in one statement (their history rows), keeps the latest result of each
 * (asset, check, partition) in `check_latest`, and announces each failure in the alert outbox.
 * Call it in a transaction: a failure and its alert commit together or not at all. Results for
 * a check switched off are not written; resolves to how many were.
 */
export async function recordCheckResults(
  tx: Queryable,
  inputs: readonly CheckResultInput[],
): Promise<number> {
  if (inputs.length === 0) return 0;
  const rows = inputs.map((r) => ({
    run_id: r.runId,
    asset_key: r.assetKey,
    partition_key: r.partitionKey ?? "",
    partition_index: r.partitionIndex ?? (r.partitionKey ? -1 : 0),
    check_name: r.checkName,
    passed: r.passed,
    severity: r.severity,
    description: r.description ?? null,
    metadata: r.metadata ?? {},
    duration_ms: r.durationMs ?? null,
  }));
  const inserted = await tx.query<{
    id: string;
    run_id: string;
    asset_key: string;
    partition_key: string;
    check_name: string;
    passed: boolean;
    severity: string;
    description: string | null;
  }>(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
         ord int, run_id text, asset_key text, partition_key text, partition_index int,
         check_name text, passed boolean, severity text, description text, metadata jsonb,
         duration_ms int)
     ), kept AS (
       SELECT i.* FROM input i
       WHERE NOT EXISTS (
         SELECT 1 FROM lignee.check_switches s
         WHERE s.asset_key = i.asset_key AND s.check_name = i.check_name AND NOT s.enabled)
     ), written AS (
       INSERT INTO lignee.check_results
         (run_id, asset_key, partition_key, check_name, passed, severity, description, metadata,
          duration_ms)
       SELECT run_id, asset_key, partition_key, check_name, passed, severity, description,
              metadata, duration_ms
       FROM kept ORDER BY ord
       RETURNING id, run_id, asset_key, partition_key, check_name, passed, severity, description
     ), latest AS (
       INSERT INTO lignee.check_latest AS l
         (asset_key, check_name, partition_key, partition_index, result_id, passed, severity)
       SELECT DISTINCT ON (w.asset_key, w.check_name, w.partition_key)
              w.asset_key, w.check_name, w.partition_key, k.partition_index, w.id, w.passed,
              w.severity
       FROM written w
       JOIN kept k ON k.asset_key = w.asset_key AND k.check_name = w.check_name
                  AND k.partition_key = w.partition_key
       ORDER BY w.asset_key, w.check_name, w.partition_key, w.id DESC
       ON CONFLICT (asset_key, check_name, partition_key) DO UPDATE
         SET partition_index = EXCLUDED.partition_index, result_id = EXCLUDED.result_id,
             passed = EXCLUDED.passed, severity = EXCLUDED.severity
         WHERE l.result_id < EXCLUDED.result_id
     )
     SELECT * FROM written`,
    [JSON.stringify(rows.map((r, ord) => ({ ord, ...r })))],
  );
  for (const f of inserted.rows.filter((r) => !r.passed)) {
    const partition = f.partition_key;
    const where = partition ? ` on partition ${partition}` : "";
    const description = f.description === null ? null : scrubCredentials(f.description);
    await recordAlertEvent(tx, {
      kind: "check_failed",
      dedupeKey: `check_failed:${f.run_id}:${f.asset_key}:${f.check_name}:${partition}`,
      subject: `Check ${f.check_name} of ${f.asset_key} failed${where}${
        description ? `: ${description}` : ""
      }`,
      payload: {
        asset: f.asset_key,
        check: f.check_name,
        partition,
        severity: f.severity,
        description,
        runId: f.run_id,
      },
    });
  }
  return inserted.rows.length;
}
