import { createHmac } from "node:crypto";
import type { WebhookChannelConfig } from "../definitions/alerts";
import { ALERT_EVENT_KINDS } from "../definitions/alerts";
import type { AlertChannel, AlertMessage } from "./channel";
import { postJson } from "./http-post";
import { urlSecrets } from "./redact";
import { channelTarget } from "./channel-view";

/** The JSON body of a signed webhook: the event, its link and the delivery's key. */
export function webhookBody(message: AlertMessage, idempotencyKey: string): string {
  return JSON.stringify({
    idempotencyKey,
    eventId: message.eventId,
    kind: message.kind,
    subject: message.subject,
    payload: message.payload,
    link: message.link ?? null,
    createdAt: message.createdAt.toISOString(),
  });
}

/**
 * `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: what `X-Lignee-Signature` carries.
 * A receiver recomputes it over the raw body with `X-Lignee-Timestamp`, compares in constant
 * time, and refuses a timestamp too far from its clock (replays).
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** A generic webhook: a JSON POST signed with HMAC-SHA256, with an `Idempotency-Key`. */
export function webhookChannel(
  config: WebhookChannelConfig,
  timeoutMs: number,
  clock: () => Date = () => new Date(),
): AlertChannel {
  return {
    name: config.name,
    kind: "webhook",
    target: channelTarget(config),
    kinds: config.kinds ?? ALERT_EVENT_KINDS,
    schedules: config.schedules ?? [],
    secrets: [...urlSecrets(config.url), config.secret],
    send: (message, key, signal) => {
      const body = webhookBody(message, key);
      const timestamp = String(Math.floor(clock().getTime() / 1000));
      return postJson(
        config.url,
        body,
        {
          "idempotency-key": key,
          "x-lignee-timestamp": timestamp,
          "x-lignee-signature": webhookSignature(config.secret, timestamp, body),
          "x-lignee-event": message.kind,
        },
        signal,
        timeoutMs,
      );
    },
  };
}
