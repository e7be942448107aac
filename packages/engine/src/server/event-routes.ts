import type { Hono } from "hono";
import type { Storage } from "../storage/storage";
import { streamRunEvents } from "./event-stream";
import { findRun } from "./find-run";
import type { RunManager } from "./run-manager";

export interface EventRoutesOptions {
  readonly storage: Storage;
  readonly runs: RunManager;
  /** How often a stream polls storage when nothing woke it (ms). */
  readonly pollMs: number;
}

/**
 * `/api/runs/{id}/events`: a run's event log, live, as Server-Sent Events; it ends when its
 * caller is no longer admitted (signed out, token revoked).
 */
export function registerEventRoutes(app: Hono, options: EventRoutesOptions): void {
  const { storage, runs, pollMs } = options;
  app.get("/api/runs/:id/events", async (c) => {
    const run = await findRun(storage, c.req.param("id"));
    return streamRunEvents(c, {
      runId: run.id,
      storage,
      runs,
      pollMs,
      stillAdmitted: c.get("stillAdmitted"),
    });
  });
}
