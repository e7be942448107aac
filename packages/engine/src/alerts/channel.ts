import type { AlertEventKind } from "../definitions/alerts";

/** An event as a channel delivers it. */
export interface AlertMessage {
  readonly eventId: number;
  readonly kind: string;
  readonly subject: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  /** The page to open (the run, the asset), absolute: the public URL + the payload's `path`. */
  readonly link: string | undefined;
}

/**
 * Where alerts go: a Slack-compatible webhook, a signed webhook, e-mail. `send` resolves once
 * the receiver accepted the message and rejects otherwise (the sender retries it later).
 * Receivers that honour `idempotencyKey` see a retried delivery as the same one.
 */
export interface AlertChannel {
  readonly name: string;
  readonly kind: "slack" | "webhook" | "email";
  /** Where it sends, without secrets: `hooks.slack.com/…`, `smtp.example.org:587 → ops@…`. */
  readonly target: string;
  readonly kinds: readonly AlertEventKind[];
  readonly schedules: readonly string[];
  /** Strings never to show (tokenised URLs, HMAC secret, SMTP password). */
  readonly secrets: readonly string[];
  send(message: AlertMessage, idempotencyKey: string, signal: AbortSignal): Promise<void>;
  close?(): void;
}

/** A delivery's idempotency key: the same for every try of one event on one channel. */
export function idempotencyKey(eventId: number, channel: string): string {
  return `${eventId}:${channel}`;
}
