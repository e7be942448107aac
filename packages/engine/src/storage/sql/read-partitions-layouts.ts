import type { Queryable } from "../runs/queryable";

/** The recorded `partitionsLayout` of each of these assets that has one. */
export async function readPartitionsLayouts(
  db: Queryable,
  assetKeys: readonly string[],
): Promise<Map<string, string>> {
  if (assetKeys.length === 0) return new Map();
  const result = await db.query<{ asset_key: string; layout: string }>(
    "SELECT asset_key, layout FROM lignee.asset_partitions_layouts WHERE asset_key = ANY($1::text[])",
    [assetKeys],
  );
  return new Map(result.rows.map((r) => [r.asset_key, r.layout]));
}
