import type pg from "pg";
import type { MaterializationInput } from "../storage";

/**
 * The staleness rule "upstream changed while running": of the upstream partitions a step read,
 * the assets of which some were materialised after the watermark the step took when it started
 * (`markRunning` / `claimPartitions`). The step's output is stale from the moment it is
 * recorded, because of those assets. An all-partitions dependency counts any newer
 * materialisation of the upstream asset (its digest's last one).
 *
 * One statement, whatever the number of upstream assets; none when the step read nothing.
 */
export async function upstreamChangedWhileRunning(
  tx: Pick<pg.PoolClient, "query">,
  readSince: MaterializationInput["readSince"],
): Promise<string[]> {
  if (readSince.upstream.length === 0) return [];
  const upstream = readSince.upstream.map((u) => ({
    asset_key: u.assetKey,
    partitions: u.partitions === "all" ? null : u.partitions.toMultirange(),
  }));
  const result = await tx.query<{ asset_key: string }>(
    `SELECT DISTINCT u.asset_key
       FROM jsonb_to_recordset($1::jsonb) AS u(asset_key text, partitions text)
       WHERE CASE WHEN u.partitions IS NULL
         THEN EXISTS (SELECT 1 FROM lignee.asset_digests d
                      WHERE d.asset_key = u.asset_key AND d.last_materialization_id > $2)
         ELSE EXISTS (SELECT 1 FROM lignee.asset_partitions p
                      WHERE p.asset_key = u.asset_key AND p.materialization_id > $2
                        AND p.partition_index <@ u.partitions::int4multirange)
       END
       ORDER BY u.asset_key`,
    [JSON.stringify(upstream), readSince.watermark],
  );
  return result.rows.map((r) => r.asset_key);
}
