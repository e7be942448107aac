import type { Queryable } from "../runs/queryable";

/** One (event, channel) delivery. */
export interface DeliveryKey {
  readonly eventId: number;
  readonly channel: string;
}

/**
 * Records that deliveries reached their channels, in one statement. Whoever holds them now, a
 * delivery that was sent is delivered (a sender whose lease ran out while sending still sent
 * it). Resolves to the number of rows changed (already marked ones are left as they are).
 */
export async function markDelivered(db: Queryable, keys: readonly DeliveryKey[]): Promise<number> {
  if (keys.length === 0) return 0;
  const result = await db.query(
    `UPDATE lignee.alert_deliveries d
     SET status = 'delivered', delivered_at = now(), updated_at = now(),
         leased_until = NULL, last_error = NULL
     FROM unnest($1::bigint[], $2::text[]) AS k(event_id, channel)
     WHERE d.event_id = k.event_id AND d.channel = k.channel AND d.status = 'pending'`,
    [keys.map((k) => k.eventId), keys.map((k) => k.channel)],
  );
  return result.rowCount ?? 0;
}
