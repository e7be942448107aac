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
 * Creates, for one channel, the deliveries that recent events lack: those of the kinds it
 * takes (`schedule_succeeded` only for its schedules), and the `test` events that name it,
 * whatever its kinds. The primary key skips the existing ones (one index probe per recent event: an
 * anti-join would be planned as a nested loop on a young table whose statistics say "empty").
 * Idempotent: two senders at once create each delivery once (primary key).
 * Resolves to the number created.
 */
export async function fanOutDeliveries(db: Queryable, filter: ChannelFilter): Promise<number> {
  const result = await db.query(
    `INSERT INTO lignee.alert_deliveries (event_id, channel)
     SELECT e.id, $1 FROM lignee.alert_events e
     WHERE e.created_at > now() - make_interval(secs => $4::double precision / 1000)
       AND CASE e.kind
             -- A test goes to the channel it names, whatever kinds that channel takes.
             WHEN 'test' THEN e.payload->>'channel' = $1
             WHEN 'schedule_succeeded' THEN e.kind = ANY($2::text[])
                                            AND e.payload->>'schedule' = ANY($3::text[])
             ELSE e.kind = ANY($2::text[]) END
     ON CONFLICT DO NOTHING`,
    [filter.channel, filter.kinds, filter.schedules, filter.maxAgeMs],
  );
  return result.rowCount ?? 0;
}
