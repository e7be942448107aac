import type { Hono } from "hono";
import type { AlertSettings } from "../alerts/alert-settings";
import { channelView } from "../alerts/channel-view";
import { quote } from "../errors";
import type { AlertStore } from "../storage/alerts/alert-store";
import type { DeliveryRecord } from "../storage/alerts/list-deliveries";
import { audit } from "./auth/audit";
import { HttpError } from "./http-error";
import { jsonBody } from "./json-body";
import { AlertDeliveriesQuery, AlertRetryParams, AlertTestRequestBody } from "./schemas";

export interface AlertRoutesOptions {
  /** Without it, the alerts endpoints answer 404. */
  readonly alerts:
    | {
        readonly store: AlertStore;
        readonly settings: Pick<AlertSettings, "channels" | "dailySummary" | "maxAttempts">;
      }
    | undefined;
}

/**
 * `/api/alerts`: the channels (never their secrets), recent deliveries with their errors, "send
 * a test" to one channel, and another set of tries for a dead delivery. The sender (in
 * `lignee scheduler` or `lignee dev`) delivers what these write.
 */
export function registerAlertRoutes(app: Hono, options: AlertRoutesOptions): void {
  const alerts = (): NonNullable<AlertRoutesOptions["alerts"]> => {
    if (!options.alerts) throw new HttpError(404, "alerts are not available on this server");
    return options.alerts;
  };
  const knownChannel = (name: string): void => {
    if (!alerts().settings.channels.some((c) => c.name === name))
      throw new HttpError(404, `unknown alert channel ${quote(name)}`);
  };

  app.get("/api/alerts/channels", (c) => {
    const { settings } = alerts();
    const summary = settings.dailySummary;
    return c.json({
      channels: settings.channels.map(channelView),
      dailySummary: summary
        ? { at: summary.at, timezone: summary.timezone ?? "Europe/Paris" }
        : null,
      maxAttempts: settings.maxAttempts,
    });
  });

  app.get("/api/alerts/deliveries", async (c) => {
    const query = AlertDeliveriesQuery.parse(c.req.query());
    const deliveries = await alerts().store.listDeliveries({
      limit: query.limit,
      ...(query.status ? { status: query.status } : {}),
      ...(query.before ? { before: query.before } : {}),
    });
    return c.json({ deliveries: deliveries.map(deliveryView) });
  });

  app.post("/api/alerts/test", async (c) => {
    const { channel } = AlertTestRequestBody.parse(await jsonBody(c));
    knownChannel(channel);
    const dedupeKey = await alerts().store.recordTestEvent(channel);
    await audit(c, "alerts.test", channel);
    return c.json({ channel, dedupeKey }, 202);
  });

  app.post("/api/alerts/deliveries/:eventId/:channel/retry", async (c) => {
    const { eventId, channel } = AlertRetryParams.parse({
      eventId: c.req.param("eventId"),
      channel: c.req.param("channel"),
    });
    if (!(await alerts().store.retryDead(eventId, channel)))
      throw new HttpError(404, `no dead delivery of event ${eventId} to ${quote(channel)}`);
    await audit(c, "alerts.retry", `${eventId} ${channel}`);
    return c.json({ eventId, channel, status: "pending" as const });
  });
}

function deliveryView(d: DeliveryRecord): Record<string, unknown> {
  return {
    eventId: d.eventId,
    channel: d.channel,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === "pending" ? d.nextAttemptAt.toISOString() : null,
    lastError: d.lastError,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    updatedAt: d.updatedAt.toISOString(),
    kind: d.kind,
    subject: d.subject,
    eventCreatedAt: d.eventCreatedAt.toISOString(),
  };
}
