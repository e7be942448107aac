import type { Queryable } from "../runs/queryable";
import { DynamicPartitionsSnapshot } from "../../partitions/dynamic";

/**
 * The keys of the given dynamic partitions sets (removed keys included, marked), as one
 * snapshot: what an evaluation reads once, before status, planning or mappings look at them.
 */
export async function readDynamicPartitions(
  db: Queryable,
  names: readonly string[],
): Promise<DynamicPartitionsSnapshot> {
  if (names.length === 0) return DynamicPartitionsSnapshot.fromRows([]);
  const result = await db.query<{
    set_name: string;
    key: string;
    partition_index: number;
    removed: boolean;
  }>(
    `SELECT set_name, key, partition_index, removed_at IS NOT NULL AS removed
     FROM lignee.dynamic_partition_keys WHERE set_name = ANY($1::text[])`,
    [names],
  );
  return DynamicPartitionsSnapshot.fromRows(
    result.rows.map((r) => ({
      set: r.set_name,
      key: r.key,
      index: r.partition_index,
      removed: r.removed,
    })),
  );
}
