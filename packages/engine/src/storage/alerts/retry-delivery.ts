import type { Queryable } from "../runs/queryable";

/**
 * Gives a dead delivery a fresh set of tries, due now. Resolves to whether it was dead (false
 * for an unknown delivery or one that is not dead).
 */
export async function retryDeadDelivery(
  db: Queryable,
  eventId: number,
  channel: string,
): Promise<boolean> {
  const result = await db.query(
    `UPDATE lignee.alert_deliveries
     SET status = 'pending', attempts = 0, next_attempt_at = now(), leased_until = NULL,
         updated_at = now()
     WHERE event_id = $1 AND channel = $2 AND status = 'dead'`,
    [eventId, channel],
  );
  return (result.rowCount ?? 0) > 0;
}
