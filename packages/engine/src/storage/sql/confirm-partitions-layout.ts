import { PartitionsChangedError } from "../../errors";
import { partitionsLayoutKeeps, recordedPartitionsLayout } from "../../partitions/layout";
import type { Queryable } from "../runs/queryable";

/**
 * Before an asset's partitions are written: checks that the layout its stored partitions were
 * written with (`lignee.asset_partitions_layouts`) still holds under `layout`, and records
 * `layout`. Throws PartitionsChangedError, writing nothing, when the stored indices would name
 * other keys. An asset materialised before layouts were recorded gets its current one. What is
 * recorded never shrinks a static key list nor replaces partitions by `unpartitioned`
 * (`recordedPartitionsLayout`).
 */
export async function confirmPartitionsLayout(
  db: Queryable,
  assetKey: string,
  layout: string,
): Promise<void> {
  // Compare-and-set: a layout recorded meanwhile by another process is checked in turn.
  for (;;) {
    const stored = await db.query<{ layout: string }>(
      "SELECT layout FROM lignee.asset_partitions_layouts WHERE asset_key = $1",
      [assetKey],
    );
    const before = stored.rows[0]?.layout;
    if (before === layout) return;
    if (before !== undefined && !partitionsLayoutKeeps(before, layout)) {
      throw new PartitionsChangedError(assetKey);
    }
    const recorded = recordedPartitionsLayout(before, layout);
    if (recorded === before) return;
    const written = await db.query(
      `INSERT INTO lignee.asset_partitions_layouts AS l (asset_key, layout) VALUES ($1, $2)
       ON CONFLICT (asset_key) DO UPDATE SET layout = EXCLUDED.layout WHERE l.layout = $3`,
      [assetKey, recorded, before ?? null],
    );
    if (written.rowCount === 1) return;
  }
}
