import type { Queryable } from "../runs/queryable";

export interface AlertDeliveryCount {
  readonly channel: string;
  readonly status: string;
  readonly count: number;
}

/**
 * Alert deliveries by channel and status, for the metrics: `delivered`, `dead` (given up after
 * the last try), `retrying` (pending after at least one failed try) and `pending` (not tried yet).
 */
export async function deliveryCounts(db: Queryable): Promise<AlertDeliveryCount[]> {
  const result = await db.query<{ channel: string; status: string; count: number }>(
    `SELECT channel,
            CASE WHEN status = 'pending' AND attempts > 0 THEN 'retrying' ELSE status END AS status,
            count(*)::int AS count
     FROM lignee.alert_deliveries
     GROUP BY 1, 2`,
  );
  return result.rows;
}
