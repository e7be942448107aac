import type { Queryable } from "../runs/queryable";

/** Which events a channel receives. */
export interface ChannelFilter {
  readonly channel: string;
  readonly kinds: readonly string[];
  /** `schedule_succeeded` events only for these schedules. */
  readonly schedules: readonly string[];
  /** Events older than this are not delivered (a sender down for longer skips them). */
  readonly maxAgeMs: number;
}

/**
 * Creates the pending deliveries of recent events to one channel: the events of its kinds (a
 * `test` event only for the channel it names, `schedule_succeeded` only for its schedules)
 * that have none yet. The primary key finds those (one index probe per recent event: an
 * anti-join would be planned as a nested loop on a young table whose statistics say "empty").
 * Idempotent: two senders at once create each delivery once (primary key).
 * Resolves to the number created.
 */
export async function fanOutDeliveries(db: Queryable, filter: ChannelFilter): Promise<number> {
  const result = await db.query(
    `INSERT INTO lignee.alert_deliveries (event_id, channel)
     SELECT e.id, $1 FROM lignee.alert_events e
     WHERE e.created_at > now() - make_interval(secs => $4::double precision / 1000)
       AND e.kind = ANY($2::text[])
       AND (e.kind <> 'test' OR e.payload->>'channel' = $1)
       AND (e.kind <> 'schedule_succeeded' OR e.payload->>'schedule' = ANY($3::text[]))
     ON CONFLICT DO NOTHING`,
    [filter.channel, filter.kinds, filter.schedules, filter.maxAgeMs],
  );
  return result.rowCount ?? 0;
}
