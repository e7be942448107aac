import type { Queryable } from "../runs/queryable";

/**
 * Records a failed try of a delivery `sender` holds: due again after `retryInMs`, or `dead`
 * once `maxAttempts` tries were made. `error` must already be redacted. Resolves to the new
 * status, or undefined when the sender no longer held it (its lease expired and another took
 * it, or it was delivered meanwhile).
 */
export async function markFailed(
  db: Queryable,
  delivery: { eventId: number; channel: string; sender: string },
  error: string,
  retryInMs: number,
  maxAttempts: number,
): Promise<"pending" | "dead" | undefined> {
  const result = await db.query<{ status: "pending" | "dead" }>(
    `UPDATE lignee.alert_deliveries
     SET status = CASE WHEN attempts >= $5 THEN 'dead' ELSE 'pending' END,
         next_attempt_at = now() + make_interval(secs => $4::double precision / 1000),
         last_error = $6, leased_until = NULL, updated_at = now()
     WHERE event_id = $1 AND channel = $2 AND leased_by = $3 AND status = 'pending'
     RETURNING status`,
    [delivery.eventId, delivery.channel, delivery.sender, retryInMs, maxAttempts, error],
  );
  return result.rows[0]?.status;
}
