import type { Queryable } from "../runs/queryable";

/**
 * Records that a delivery reached its channel. Whoever holds it now, a delivery that was sent
 * is delivered (a sender whose lease ran out while sending still sent it). Resolves to whether
 * the row changed (false when it was already marked).
 */
export async function markDelivered(
  db: Queryable,
  eventId: number,
  channel: string,
): Promise<boolean> {
  const result = await db.query(
    `UPDATE lignee.alert_deliveries
     SET status = 'delivered', delivered_at = now(), updated_at = now(),
         leased_until = NULL, last_error = NULL
     WHERE event_id = $1 AND channel = $2 AND status = 'pending'`,
    [eventId, channel],
  );
  return (result.rowCount ?? 0) > 0;
}
