import { PartitionsChangedError } from "../../errors";
import { partitionsLayoutKeeps } from "../../partitions/layout";
import type { Queryable } from "../runs/queryable";

/**
 * Before an asset's partitions are written: checks that the layout its stored partitions were
 * written with (`lignee.asset_partitions_layouts`) still holds under `layout`, and records
 * `layout`. Throws PartitionsChangedError, writing nothing, when the stored indices would name
 * other keys. An asset materialised before layouts were recorded gets its current one.
 */
export async function confirmPartitionsLayout(
  db: Queryable,
  assetKey: string,
  layout: string,
): Promise<void> {
  const stored = await db.query<{ layout: string }>(
    "SELECT layout FROM lignee.asset_partitions_layouts WHERE asset_key = $1",
    [assetKey],
  );
  const before = stored.rows[0]?.layout;
  if (before === layout) return;
  if (before !== undefined && !partitionsLayoutKeeps(before, layout)) {
    throw new PartitionsChangedError(assetKey);
  }
  await db.query(
    `INSERT INTO lignee.asset_partitions_layouts (asset_key, layout) VALUES ($1, $2)
     ON CONFLICT (asset_key) DO UPDATE SET layout = EXCLUDED.layout`,
    [assetKey, layout],
  );
}
