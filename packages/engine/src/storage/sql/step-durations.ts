import type pg from "pg";

/** One successful step of an asset: how long it took and how many partitions it built. */
export interface StepDuration {
  readonly assetKey: string;
  readonly durationMs: number;
  readonly partitions: number;
}

interface Row {
  asset_key: string;
  partition_key: string | null;
  data: Record<string, unknown> | null;
}

/**
 * The newest successful steps (STEP_SUCCESS events) that materialised each of `assetKeys`, at
 * most `limit` per asset. A step of several assets (one dbt build) counts for each of them.
 * Steps recorded before events carried their partition count count one partition when they
 * name a single partition, and are skipped when they name a range.
 */
export async function recentStepDurations(
  pool: pg.Pool,
  assetKeys: readonly string[],
  limit: number,
): Promise<StepDuration[]> {
  if (assetKeys.length === 0) return [];
  const result = await pool.query<Row>(
    `SELECT k.asset_key, e.partition_key, e.data
     FROM unnest($1::text[]) AS k(asset_key)
     CROSS JOIN LATERAL (
       SELECT partition_key, data FROM lignee.events
       WHERE type = 'STEP_SUCCESS'
         AND (asset_key = k.asset_key OR data -> 'assetKeys' ? k.asset_key)
         AND NOT coalesce(data ? 'checksOnly', false)
       ORDER BY id DESC
       LIMIT $2
     ) AS e`,
    [assetKeys, limit],
  );
  const out: StepDuration[] = [];
  for (const row of result.rows) {
    const durationMs = row.data?.durationMs;
    if (typeof durationMs !== "number") continue;
    const counted = row.data?.partitionCount;
    const partitions =
      typeof counted === "number"
        ? counted
        : row.partition_key === null || !row.partition_key.includes("…")
          ? 1
          : undefined;
    if (partitions === undefined || partitions < 1) continue;
    out.push({ assetKey: row.asset_key, durationMs, partitions });
  }
  return out;
}
