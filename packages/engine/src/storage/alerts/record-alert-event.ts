import type { Queryable } from "../runs/queryable";

import type { AlertEventKind } from "../../definitions/alerts";

export { ALERT_EVENT_KINDS, type AlertEventKind } from "../../definitions/alerts";

/** Channel NOTIFYed (with the event id) when an event is written, so senders wake at once. */
export const ALERT_CHANNEL = "lignee_alert_event";

export interface AlertEventInput {
  readonly kind: AlertEventKind;
  /**
   * The identity of the fact, e.g. `run_failed:<runId>` or
   * `check_failed:<runId>:<asset>:<check>:<partition>`: recording the same fact twice (two
   * schedulers, a retried transaction) makes one event.
   */
  readonly dedupeKey: string;
  /** One line, e.g. `Run 3f2a… failed: raw/offres 2024-08-05: HTTP 503`. */
  readonly subject: string;
  /** What the channels render (asset, partition, run id, links…); never a secret. */
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * Writes an event to the alert outbox. Call it with the transaction that records the fact
 * itself, so that the fact and its announcement commit together or not at all. Resolves to
 * whether a new event was written (false when the fact was already recorded).
 */
export async function recordAlertEvent(db: Queryable, event: AlertEventInput): Promise<boolean> {
  // The notification is sent when the fact's transaction commits, and only then.
  const result = await db.query(
    `WITH written AS (
       INSERT INTO lignee.alert_events (kind, dedupe_key, subject, payload)
       VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id)
     SELECT pg_notify($5, id::text) FROM written`,
    [event.kind, event.dedupeKey, event.subject, JSON.stringify(event.payload), ALERT_CHANNEL],
  );
  return (result.rowCount ?? 0) > 0;
}
