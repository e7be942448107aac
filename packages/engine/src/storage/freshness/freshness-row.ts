/** An asset's recorded freshness (`lignee.freshness_state`). */
export interface FreshnessStateRecord {
  readonly assetKey: string;
  readonly state: "fresh" | "overdue";
  /** Overdue since; null when fresh, or when overdue and never materialised. */
  readonly since: Date | null;
  readonly partitionKey: string | null;
  readonly updatedAt: Date;
}

export interface FreshnessRow {
  asset_key: string;
  state: string;
  since: Date | null;
  partition_key: string | null;
  updated_at: Date;
}

export const FRESHNESS_COLUMNS = "asset_key, state, since, partition_key, updated_at";

export function toFreshnessState(row: FreshnessRow): FreshnessStateRecord {
  return {
    assetKey: row.asset_key,
    state: row.state === "overdue" ? "overdue" : "fresh",
    since: row.since,
    partitionKey: row.partition_key,
    updatedAt: row.updated_at,
  };
}
