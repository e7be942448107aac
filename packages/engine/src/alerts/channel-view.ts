import { ALERT_EVENT_KINDS, type AlertChannelConfig } from "../definitions/alerts";
import type { AlertEventKind } from "../definitions/alerts";
import { redactUrl } from "./redact";

/** A channel as the API shows it: never its URL, secret or password. */
export interface ChannelView {
  readonly name: string;
  readonly kind: AlertChannelConfig["kind"];
  readonly target: string;
  readonly kinds: readonly AlertEventKind[];
  readonly schedules: readonly string[];
}

/** Where a channel sends, without secrets: `hooks.slack.com/…`, `smtp.example.org:587 → ops@…`. */
export function channelTarget(config: AlertChannelConfig): string {
  if (config.kind !== "email") return redactUrl(config.url);
  let host = "…";
  try {
    host = new URL(config.smtpUrl).host;
  } catch {
    // validated with the settings; nothing to show otherwise
  }
  return `${host} → ${config.to.join(", ")}`;
}

export function channelView(config: AlertChannelConfig): ChannelView {
  return {
    name: config.name,
    kind: config.kind,
    target: channelTarget(config),
    kinds: config.kinds ?? ALERT_EVENT_KINDS,
    schedules: config.schedules ?? [],
  };
}
