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
  const result = await tx.query<{ asset_key: string }>(upstreamChangedQuery(1, 2), [
    JSON.stringify(upstreamRead(readSince)),
    readSince.watermark,
  ]);
  return result.rows.map((r) => r.asset_key);
}

/** What a step read upstream, as the jsonb parameter of `upstreamChangedQuery`. */
export function upstreamRead(
  readSince: MaterializationInput["readSince"],
): { asset_key: string; partitions: string | null }[] {
  return readSince.upstream.map((u) => ({
    asset_key: u.assetKey,
    partitions: u.partitions === "all" ? null : u.partitions.toMultirange(),
  }));
}

/**
 * The SELECT of the rule, with the jsonb of `upstreamRead` as parameter `$<upstream>` and the
 * watermark as `$<watermark>`: also the final SELECT of the roll-ups statement of a
 * materialisation (materializations.ts).
 */
export function upstreamChangedQuery(upstream: number, watermark: number): string {
  return `SELECT DISTINCT u.asset_key
       FROM jsonb_to_recordset($${upstream}::jsonb) AS u(asset_key text, partitions text)
       WHERE CASE WHEN u.partitions IS NULL
         THEN EXISTS (SELECT 1 FROM lignee.asset_digests d
                      WHERE d.asset_key = u.asset_key AND d.last_materialization_id > $${watermark})
         ELSE EXISTS (SELECT 1 FROM lignee.asset_partitions p
                      WHERE p.asset_key = u.asset_key AND p.materialization_id > $${watermark}
                        AND p.partition_index <@ u.partitions::int4multirange)
       END
       ORDER BY u.asset_key`;
}
