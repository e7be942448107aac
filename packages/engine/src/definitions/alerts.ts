/** What can be announced. `daily_summary` and `test` are made by the alert sender itself. */
export const ALERT_EVENT_KINDS = [
  "run_failed",
  "schedule_succeeded",
  "check_failed",
  "freshness_overdue",
  "freshness_recovered",
  "daily_summary",
  "test",
] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

/** What every channel declaration shares. */
interface ChannelBase {
  /** Unique among the channels; part of each delivery's idempotency key. */
  readonly name: string;
  /** The kinds of event this channel receives (default: every kind). */
  readonly kinds?: readonly AlertEventKind[];
  /**
   * The schedules whose successful runs this channel announces (`schedule_succeeded`); none by
   * default: a success is news only for the schedules named here.
   */
  readonly schedules?: readonly string[];
}

/** A Slack-compatible incoming webhook (Block Kit JSON). The URL is a secret. */
export interface SlackChannelConfig extends ChannelBase {
  readonly kind: "slack";
  readonly url: string;
}

/** A generic webhook: JSON body signed with HMAC-SHA256 of `timestamp.body` with `secret`. */
export interface WebhookChannelConfig extends ChannelBase {
  readonly kind: "webhook";
  readonly url: string;
  readonly secret: string;
}

/** E-mail over SMTP (`smtp://user:pass@host:587`, `smtps://…`). */
export interface EmailChannelConfig extends ChannelBase {
  readonly kind: "email";
  readonly smtpUrl: string;
  readonly to: readonly string[];
  readonly from: string;
}

export type AlertChannelConfig = SlackChannelConfig | WebhookChannelConfig | EmailChannelConfig;

/** A daily summary of the previous day, sent at `at` (HH:MM) in `timezone`. */
export interface DailySummaryConfig {
  readonly at: string;
  /** Default Europe/Paris. */
  readonly timezone?: string;
}

/**
 * Alerting, declared with the definitions (`Definitions.create({ …, alerts })`); channels from
 * the environment (`LIGNEE_ALERT_*`) are added to these.
 *
 * @example
 * alerts: {
 *   channels: [{ kind: "slack", name: "ops", url: slackWebhookUrl, kinds: ["run_failed"] }],
 *   dailySummary: { at: "08:00", timezone: "Europe/Paris" },
 * }
 */
export interface AlertsConfig {
  readonly channels?: readonly AlertChannelConfig[];
  readonly dailySummary?: DailySummaryConfig;
  /** Tries of one delivery before it is dead-lettered (default 5). */
  readonly maxAttempts?: number;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const NAME = /^[A-Za-z0-9_.-]+$/;

/** `"08:30"` → minutes after midnight; undefined when it is not a valid HH:MM. */
export function parseTimeOfDay(at: string): number | undefined {
  const m = TIME.exec(at);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** Every problem of an alerts declaration (empty when valid), naming the channel. */
export function alertsProblems(
  config: AlertsConfig | undefined,
  scheduleExists: (name: string) => boolean,
): string[] {
  if (!config) return [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const channel of config.channels ?? []) {
    const where = `alert channel "${channel.name}"`;
    if (!NAME.test(channel.name)) problems.push(`${where}: a name is letters, digits, _ . -`);
    if (seen.has(channel.name)) problems.push(`${where}: declared twice`);
    seen.add(channel.name);
    problems.push(...channelProblems(channel).map((p) => `${where}: ${p}`));
    for (const kind of channel.kinds ?? [])
      if (!(ALERT_EVENT_KINDS as readonly string[]).includes(kind))
        problems.push(`${where}: unknown event kind "${kind}"`);
    for (const schedule of channel.schedules ?? [])
      if (!scheduleExists(schedule)) problems.push(`${where}: unknown schedule "${schedule}"`);
  }
  if (config.dailySummary) problems.push(...summaryProblems(config.dailySummary));
  const max = config.maxAttempts;
  if (max !== undefined && (!Number.isInteger(max) || max < 1))
    problems.push(`alerts: maxAttempts must be a positive integer, not ${max}`);
  return problems;
}

/** The problems of one channel's target (URL, secret, addresses). */
export function channelProblems(channel: AlertChannelConfig): string[] {
  switch (channel.kind) {
    case "slack":
      return urlProblems(channel.url, ["http:", "https:"]);
    case "webhook":
      return [
        ...urlProblems(channel.url, ["http:", "https:"]),
        ...(channel.secret.length < 16 ? ["the secret must have at least 16 characters"] : []),
      ];
    case "email":
      return [
        ...urlProblems(channel.smtpUrl, ["smtp:", "smtps:"]),
        ...(channel.to.length === 0 ? ["no recipient (to)"] : []),
        ...[...channel.to, channel.from]
          .filter((a) => !/^[^@\s]+@[^@\s]+$/.test(a))
          .map((a) => `"${a}" is not an e-mail address`),
      ];
    default:
      return [`unknown channel kind "${(channel as { kind: unknown }).kind as string}"`];
  }
}

function urlProblems(raw: string, protocols: readonly string[]): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return ["the URL is not valid"]; // never echoed: it may hold a token
  }
  return protocols.includes(url.protocol)
    ? []
    : [`the URL must start with ${protocols.map((p) => `${p}//`).join(" or ")}`];
}

function summaryProblems(summary: DailySummaryConfig): string[] {
  const problems: string[] = [];
  if (parseTimeOfDay(summary.at) === undefined)
    problems.push(`alerts.dailySummary: at must be HH:MM (24 h), not "${summary.at}"`);
  if (summary.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: summary.timezone });
    } catch {
      problems.push(`alerts.dailySummary: unknown timezone "${summary.timezone}"`);
    }
  }
  return problems;
}
