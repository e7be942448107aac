import type pg from "pg";

/** Removes partitions from a run's running mark of an asset (and the mark once it is empty). */
export async function subtractRunning(
  tx: pg.PoolClient,
  runId: string,
  assetKey: string,
  multirange: string,
): Promise<void> {
  await tx.query(
    `UPDATE lignee.asset_running SET partitions = partitions - $3::int4multirange WHERE asset_key = $1 AND run_id = $2`,
    [assetKey, runId, multirange],
  );
  await tx.query(
    `DELETE FROM lignee.asset_running WHERE asset_key = $1 AND run_id = $2 AND isempty(partitions)`,
    [assetKey, runId],
  );
}
