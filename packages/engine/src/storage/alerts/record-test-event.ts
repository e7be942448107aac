import { randomUUID } from "node:crypto";
import type { Queryable } from "../runs/queryable";
import { recordAlertEvent } from "./record-alert-event";

/** Writes a `test` event for one channel only ("send a test"); resolves to its dedupe key. */
export async function recordTestEvent(
  db: Queryable,
  channel: string,
  requestedBy: string | null,
): Promise<string> {
  const dedupeKey = `test:${channel}:${randomUUID()}`;
  await recordAlertEvent(db, {
    kind: "test",
    dedupeKey,
    subject: `Test alert from Lignée to channel ${channel}`,
    payload: { channel, ...(requestedBy ? { requestedBy } : {}) },
  });
  return dedupeKey;
}
