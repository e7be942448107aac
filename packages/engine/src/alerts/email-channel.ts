import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type Nodemailer from "nodemailer";
import type { EmailChannelConfig } from "../definitions/alerts";
import { ALERT_EVENT_KINDS } from "../definitions/alerts";
import type { AlertChannel, AlertMessage } from "./channel";
import { urlSecrets } from "./redact";
import { channelTarget } from "./channel-view";
import { escapeHtml, fieldsOf, linesOf, plainText } from "./render";

/** `<hash of the key>@lignee`: the same Message-ID for every try of one delivery. */
export function messageId(idempotencyKey: string): string {
  return `<${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32)}@lignee>`;
}

/** The event as simple HTML: subject, a table of fields, the summary's lines, a link. */
export function emailHtml(message: AlertMessage): string {
  const rows = fieldsOf(message)
    .map(
      (f) => `<tr><th align="left">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`,
    )
    .join("");
  const lines = linesOf(message);
  return [
    `<p><strong>${escapeHtml(message.subject)}</strong></p>`,
    rows ? `<table>${rows}</table>` : "",
    lines.length > 0 ? `<pre>${escapeHtml(lines.join("\n"))}</pre>` : "",
    message.link ? `<p><a href="${escapeHtml(message.link)}">Open in Lignée</a></p>` : "",
  ].join("\n");
}

/** E-mail over SMTP with nodemailer: text and HTML parts, Message-ID from the key. */
export function emailChannel(config: EmailChannelConfig, timeoutMs: number): AlertChannel {
  // Loaded here, not at import: only processes with an e-mail channel pay for it.
  const nodemailer = createRequire(import.meta.url)("nodemailer") as typeof Nodemailer;
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    name: config.name,
    kind: "email",
    target: channelTarget(config),
    kinds: config.kinds ?? ALERT_EVENT_KINDS,
    schedules: config.schedules ?? [],
    secrets: urlSecrets(config.smtpUrl),
    send: async (message, key, signal) => {
      signal.throwIfAborted();
      await transport.sendMail({
        from: config.from,
        to: [...config.to],
        subject: `[Lignée] ${message.subject}`,
        text: plainText(message),
        html: emailHtml(message),
        messageId: messageId(key),
        headers: { "X-Lignee-Idempotency-Key": key, "X-Lignee-Event": message.kind },
      });
    },
    close: () => transport.close(),
  };
}
