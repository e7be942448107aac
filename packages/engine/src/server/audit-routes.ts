import type { Hono } from "hono";
import type { z } from "zod";
import type { AuditRecord, AuthStore } from "../storage/auth/auth-store";
import { HttpError } from "./http-error";
import { AuditQuery, type AuditBody, type AuditEventBody } from "./schemas";

export interface AuditRoutesOptions {
  /** Without it, the audit trail answers 404. */
  readonly store: AuthStore | undefined;
}

/** `GET /api/audit`: who did what, newest first, paged by id, filtered by actor and action. */
export function registerAuditRoutes(app: Hono, options: AuditRoutesOptions): void {
  app.get("/api/audit", async (c) => {
    if (!options.store) throw new HttpError(404, "the audit trail is not available on this server");
    const query = AuditQuery.parse(c.req.query());
    const events = await options.store.listAudit({
      limit: query.limit,
      ...(query.before !== undefined ? { before: query.before } : {}),
      ...(query.actor !== undefined ? { actor: query.actor } : {}),
      ...(query.action !== undefined ? { action: query.action } : {}),
    });
    const last = events[events.length - 1];
    const body: z.input<typeof AuditBody> = {
      events: events.map(auditEventView),
      nextBefore: events.length === query.limit && last ? last.id : null,
    };
    return c.json(body);
  });
}

function auditEventView(event: AuditRecord): z.input<typeof AuditEventBody> {
  return {
    id: event.id,
    at: event.at.toISOString(),
    actor: event.actor,
    actorKind: event.actorKind,
    action: event.action,
    target: event.target,
    detail: { ...event.detail },
  };
}
