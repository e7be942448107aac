import type pg from "pg";

/** Partitions (an int4multirange literal) of `assetKey` made stale by newer data of `upstreamKey`. */
export interface StaleMark {
  readonly assetKey: string;
  readonly upstreamKey: string;
  readonly partitions: string;
}

/**
 * Adds stale marks, one statement for all of them. Marks of one (asset, upstream) pair are
 * merged first: an upsert may touch a row only once per statement.
 */
export async function addStaleMarks(tx: pg.PoolClient, marks: readonly StaleMark[]): Promise<void> {
  if (marks.length === 0) return;
  await tx.query(
    `INSERT INTO lignee.asset_stale_marks (asset_key, upstream_key, partitions)
     SELECT m.asset_key, m.upstream_key, range_agg(r)
       FROM unnest($1::text[], $2::text[], $3::int4multirange[]) AS m(asset_key, upstream_key, partitions),
            unnest(m.partitions) AS r
       GROUP BY m.asset_key, m.upstream_key
     ON CONFLICT (asset_key, upstream_key)
       DO UPDATE SET partitions = asset_stale_marks.partitions + excluded.partitions`,
    [marks.map((m) => m.assetKey), marks.map((m) => m.upstreamKey), marks.map((m) => m.partitions)],
  );
}
