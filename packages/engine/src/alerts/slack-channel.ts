import type { SlackChannelConfig } from "../definitions/alerts";
import { ALERT_EVENT_KINDS } from "../definitions/alerts";
import type { AlertChannel, AlertMessage } from "./channel";
import { postJson } from "./http-post";
import { urlSecrets } from "./redact";
import { channelTarget } from "./channel-view";
import { fieldsOf, kindTitle, linesOf } from "./render";

/**
 * The Block Kit message of an event: a header (its kind), a section with its subject and its
 * fields, the summary's lines, and a button to its page. `text` is the notification's fallback.
 */
export function slackBlocks(message: AlertMessage): Record<string, unknown> {
  const fields = fieldsOf(message).slice(0, 10); // Slack shows at most 10 fields
  const lines = linesOf(message);
  return {
    text: message.subject,
    blocks: [
      { type: "header", text: { type: "plain_text", text: kindTitle(message.kind).slice(0, 150) } },
      {
        type: "section",
        text: { type: "mrkdwn", text: escapeMrkdwn(message.subject).slice(0, 3000) },
        ...(fields.length > 0
          ? {
              fields: fields.map((f) => ({
                type: "mrkdwn",
                text: `*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`.slice(0, 2000),
              })),
            }
          : {}),
      },
      ...(lines.length > 0
        ? [
            {
              type: "section",
              text: { type: "mrkdwn", text: escapeMrkdwn(lines.join("\n")).slice(0, 3000) },
            },
          ]
        : []),
      ...(message.link
        ? [
            {
              type: "actions",
              elements: [
                {
                  type: "button",
                  text: { type: "plain_text", text: "Open in Lignée" },
                  url: message.link,
                },
              ],
            },
          ]
        : []),
    ],
  };
}

/** Slack's control characters in mrkdwn text. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A Slack-compatible incoming webhook. Slack does not deduplicate: the idempotency key is sent
 * (`Idempotency-Key`) for compatible receivers that do, and a retry may show twice in Slack.
 */
export function slackChannel(config: SlackChannelConfig, timeoutMs: number): AlertChannel {
  return {
    name: config.name,
    kind: "slack",
    target: channelTarget(config),
    kinds: config.kinds ?? ALERT_EVENT_KINDS,
    schedules: config.schedules ?? [],
    secrets: urlSecrets(config.url),
    send: (message, key, signal) =>
      postJson(
        config.url,
        JSON.stringify(slackBlocks(message)),
        { "idempotency-key": key },
        signal,
        timeoutMs,
      ),
  };
}
