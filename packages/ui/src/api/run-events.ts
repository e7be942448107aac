import { fetchEventSource } from "@microsoft/fetch-event-source";
import { unauthorized } from "./session";
import { apiToken, authHeaders } from "./token";
import type { RunEvent, RunStatus, RunStreamEnd } from "./types";

export interface RunEventHandlers {
  readonly onEvent: (event: RunEvent) => void;
  readonly onEnd: (status: RunStatus) => void;
  readonly onError: (message: string) => void;
}

class FatalStreamError extends Error {}

/**
 * Follows a run's Server-Sent Events (stored events first, then live ones, then `end`). Uses
 * fetch rather than EventSource so the bearer token can be sent; reconnects resume after the
 * last event id. Returns a function that stops following.
 */
export function followRunEvents(runId: string, handlers: RunEventHandlers): () => void {
  const controller = new AbortController();
  let lastId = 0;
  const sentToken = apiToken();
  void fetchEventSource(`/api/runs/${encodeURIComponent(runId)}/events`, {
    signal: controller.signal,
    headers: { ...authHeaders(), ...(lastId ? { "Last-Event-ID": String(lastId) } : {}) },
    openWhenHidden: true,
    async onopen(response) {
      if (response.ok) return;
      // The token asked for, or the session ended: as for any other call.
      if (response.status === 401) unauthorized(sentToken);
      let message = `${response.status} ${response.statusText}`;
      try {
        const body = (await response.json()) as { error?: string };
        if (body.error) message = body.error;
      } catch {
        // keep the status line
      }
      throw new FatalStreamError(message);
    },
    onmessage(message) {
      if (message.event === "run-event") {
        const event = JSON.parse(message.data) as RunEvent;
        lastId = event.id;
        handlers.onEvent(event);
      } else if (message.event === "end") {
        handlers.onEnd((JSON.parse(message.data) as RunStreamEnd).status);
        controller.abort();
      }
    },
    onerror(error) {
      if (error instanceof FatalStreamError) {
        handlers.onError(error.message);
        throw error; // stop retrying
      }
      return 2_000; // retry after 2 s (the library resumes with Last-Event-ID)
    },
  }).catch(() => undefined);
  return () => controller.abort();
}
