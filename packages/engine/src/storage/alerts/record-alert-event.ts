import type { Queryable } from "../runs/queryable";

/** What can be announced. `daily_summary` and `test` are made by the alert sender itself. */
export const ALERT_EVENT_KINDS = [
  "run_failed",
  "schedule_succeeded",
  "check_failed",
  "freshness_overdue",
  "freshness_recovered",
  "daily_summary",
  "test",
] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

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
  const result = await db.query(
    `INSERT INTO lignee.alert_events (kind, dedupe_key, subject, payload)
     VALUES ($1, $2, $3, $4::jsonb)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [event.kind, event.dedupeKey, event.subject, JSON.stringify(event.payload)],
  );
  return (result.rowCount ?? 0) > 0;
}
