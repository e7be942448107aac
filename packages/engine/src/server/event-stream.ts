import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { TERMINAL_RUN_STATUSES, type Storage } from "../storage/storage";
import type { RunManager } from "./run-manager";
import type { RunStreamEndBody } from "./schemas";
import { eventView } from "./views";

/** A comment line every so often keeps proxies and browsers from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000;
/** Every so many polls (5 s at the default 250 ms), the caller is checked again. */
const RECHECK_POLLS = 20;

/**
 * Streams a run's events as Server-Sent Events: the stored ones first, then new ones as they are
 * stored, until the run ends (`event: end`). Storage is the single source (ids, order, events
 * of runs started by other processes); the run manager only wakes the loop early when a run of
 * this process emits, so live events do not wait for the next poll. A reconnecting EventSource
 * resumes after its `Last-Event-ID`. `stillAdmitted` is asked every `RECHECK_POLLS` polls: when
 * the caller's session has ended or its token was revoked, the stream closes (without `end`:
 * an EventSource reconnecting is then refused).
 */
export function streamRunEvents(
  c: Context,
  options: {
    runId: string;
    storage: Storage;
    runs: RunManager;
    pollMs: number;
    stillAdmitted?: (() => Promise<boolean>) | undefined;
  },
): Response {
  const { runId, storage, runs, pollMs, stillAdmitted } = options;
  const resumeFrom = Number(c.req.header("last-event-id") ?? 0);
  return streamSSE(c, async (stream) => {
    let lastId = Number.isSafeInteger(resumeFrom) && resumeFrom > 0 ? resumeFrom : 0;
    let lastWrite = Date.now();
    let polls = 0;
    let wake: (() => void) | undefined;
    const unsubscribe = runs.subscribe(runId, () => wake?.());
    stream.onAbort(() => wake?.());
    try {
      while (!stream.aborted) {
        // Status first, events second: once a run is terminal its events are all stored (the
        // executor flushes them before it sets the status), so this read is the last one.
        const current = await storage.getRun(runId);
        const finished = current !== undefined && TERMINAL_RUN_STATUSES.includes(current.status);
        for (const event of await storage.listEvents(runId, { afterId: lastId })) {
          lastId = event.id;
          await stream.writeSSE({
            event: "run-event",
            id: String(event.id),
            data: JSON.stringify(eventView(event)),
          });
          lastWrite = Date.now();
        }
        if (finished) {
          // Terminal (checked above): one of the statuses RunStreamEnd documents.
          const end: RunStreamEndBody = { status: current.status as RunStreamEndBody["status"] };
          await stream.writeSSE({ event: "end", data: JSON.stringify(end) });
          return;
        }
        polls += 1;
        if (stillAdmitted && polls % RECHECK_POLLS === 0 && !(await stillAdmitted())) return;
        if (Date.now() - lastWrite >= KEEP_ALIVE_MS) {
          await stream.write(": keep-alive\n\n");
          lastWrite = Date.now();
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      unsubscribe();
    }
  });
}
