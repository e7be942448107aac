import type { Queryable } from "../runs/queryable";

/** Sets an asset's freshness row (locked by `lockFreshnessState` in the same transaction). */
export async function writeFreshnessState(
  db: Queryable,
  state: {
    readonly assetKey: string;
    readonly state: "fresh" | "overdue";
    readonly since: Date | null;
    readonly partitionKey: string | null;
  },
): Promise<void> {
  await db.query(
    `UPDATE lignee.freshness_state
     SET state = $2, since = $3, partition_key = $4, updated_at = now()
     WHERE asset_key = $1`,
    [state.assetKey, state.state, state.since, state.partitionKey],
  );
}
