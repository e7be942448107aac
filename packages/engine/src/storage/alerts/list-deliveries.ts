import type { Queryable } from "../runs/queryable";

export const DELIVERY_STATUSES = ["pending", "delivered", "dead"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A delivery as the API shows it. */
export interface DeliveryRecord {
  readonly eventId: number;
  readonly channel: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly deliveredAt: Date | null;
  readonly updatedAt: Date;
  readonly kind: string;
  readonly subject: string;
  readonly eventCreatedAt: Date;
}

/**
 * Recent deliveries, most recently changed first, optionally of one status; `before` (an
 * `updatedAt`) pages back.
 */
export async function listDeliveries(
  db: Queryable,
  options: { status?: DeliveryStatus; limit: number; before?: Date },
): Promise<DeliveryRecord[]> {
  const result = await db.query<DeliveryRecord>(
    `SELECT d.event_id AS "eventId", d.channel, d.status, d.attempts,
            d.next_attempt_at AS "nextAttemptAt", d.last_error AS "lastError",
            d.delivered_at AS "deliveredAt", d.updated_at AS "updatedAt",
            e.kind, e.subject, e.created_at AS "eventCreatedAt"
     FROM lignee.alert_deliveries d JOIN lignee.alert_events e ON e.id = d.event_id
     WHERE ($1::text IS NULL OR d.status = $1)
       AND ($3::timestamptz IS NULL OR d.updated_at < $3)
     ORDER BY d.updated_at DESC, d.event_id DESC
     LIMIT $2`,
    [options.status ?? null, options.limit, options.before ?? null],
  );
  return result.rows.map((r) => ({ ...r, eventId: Number(r.eventId) }));
}
