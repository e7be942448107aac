import type { Queryable } from "../runs/queryable";

/** A delivery a sender holds, with the event it carries. */
export interface ClaimedDelivery {
  readonly eventId: number;
  readonly channel: string;
  /** This claim's try, the first being 1. */
  readonly attempt: number;
  readonly kind: string;
  readonly dedupeKey: string;
  readonly subject: string;
  readonly payload: Record<string, unknown>;
  readonly createdAt: Date;
}

/**
 * Claims up to `limit` due deliveries of `channels` for `sender` until `leaseMs` from now, in
 * one statement: pending, due, and not leased by a live sender. `SKIP LOCKED` leaves the rows
 * another sender is claiming to it; a dead sender's claims are due again once their lease
 * expires. Each claim counts as a try, so a delivery that kills its senders ends dead too.
 */
export async function claimDeliveries(
  db: Queryable,
  sender: string,
  channels: readonly string[],
  limit: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  const result = await db.query<ClaimedDelivery>(
    `WITH due AS (
       SELECT event_id, channel FROM lignee.alert_deliveries
       WHERE status = 'pending' AND next_attempt_at <= now()
         AND (leased_until IS NULL OR leased_until < now())
         AND channel = ANY($2::text[])
       ORDER BY next_attempt_at, event_id
       LIMIT $3
       FOR UPDATE SKIP LOCKED),
     claimed AS (
       UPDATE lignee.alert_deliveries d
       SET leased_by = $1, attempts = d.attempts + 1, updated_at = now(),
           leased_until = now() + make_interval(secs => $4::double precision / 1000)
       FROM due WHERE d.event_id = due.event_id AND d.channel = due.channel
       RETURNING d.event_id, d.channel, d.attempts)
     SELECT c.event_id AS "eventId", c.channel, c.attempts AS attempt, e.kind,
            e.dedupe_key AS "dedupeKey", e.subject, e.payload, e.created_at AS "createdAt"
     FROM claimed c JOIN lignee.alert_events e ON e.id = c.event_id
     ORDER BY c.event_id`,
    [sender, channels, limit, leaseMs],
  );
  return result.rows.map((r) => ({ ...r, eventId: Number(r.eventId) }));
}
