import {
  alertsProblems,
  type AlertChannelConfig,
  type AlertEventKind,
  type DailySummaryConfig,
} from "../definitions/alerts";
import type { Definitions } from "../definitions/definitions";
import { LigneeError } from "../errors";
import { nonEmpty } from "../util/non-empty";

/** How the sender works; every field has a default and an environment variable. */
export interface AlertSettings {
  /** The definitions' channels, then the environment's. */
  readonly channels: readonly AlertChannelConfig[];
  readonly dailySummary: DailySummaryConfig | undefined;
  /** Base of the links in alerts (`LIGNEE_PUBLIC_URL`), e.g. `https://lignee.example.org`. */
  readonly publicUrl: string | undefined;
  /** Tries of one delivery before it is dead (`LIGNEE_ALERT_MAX_ATTEMPTS`, default 5). */
  readonly maxAttempts: number;
  /** First retry delay; doubled each try up to 10 min (`LIGNEE_ALERT_RETRY_MS`, default 5 s). */
  readonly retryMs: number;
  /** How long a claim is held (`LIGNEE_ALERT_LEASE_MS`, default 60 s); > timeoutMs. */
  readonly leaseMs: number;
  /** One send's limit (`LIGNEE_ALERT_TIMEOUT_MS`, default 10 s). */
  readonly timeoutMs: number;
  /** Idle poll when no notification came (`LIGNEE_ALERT_POLL_MS`, default 1 s). */
  readonly pollMs: number;
  /** Events older than this are not delivered (`LIGNEE_ALERT_MAX_AGE_HOURS`, default 24). */
  readonly maxAgeMs: number;
}

const ENV_KINDS = "LIGNEE_ALERT_KINDS";
const ENV_SCHEDULES = "LIGNEE_ALERT_SCHEDULES";

/**
 * The alert settings of a process: the definitions' `alerts`, plus the channels and settings
 * of the environment:
 * - `LIGNEE_ALERT_SLACK_WEBHOOK_URL` → channel `slack`;
 * - `LIGNEE_ALERT_WEBHOOK_URL` + `LIGNEE_ALERT_WEBHOOK_SECRET` → channel `webhook`;
 * - `LIGNEE_ALERT_SMTP_URL` + `LIGNEE_ALERT_EMAIL_TO` (commas) + `LIGNEE_ALERT_EMAIL_FROM` →
 *   channel `email`;
 * - `LIGNEE_ALERT_KINDS`, `LIGNEE_ALERT_SCHEDULES` (commas): their filters;
 * - `LIGNEE_ALERT_DAILY_SUMMARY_AT` (HH:MM) and `LIGNEE_ALERT_DAILY_SUMMARY_TIMEZONE`.
 * Invalid values stop the process with every problem, never with a secret.
 */
export function alertSettings(
  definitions: Pick<Definitions<unknown>, "alerts" | "findSchedule">,
  env: NodeJS.ProcessEnv = process.env,
): AlertSettings {
  const config = definitions.alerts;
  const envChannels = channelsFromEnv(env);
  const at = nonEmpty(env.LIGNEE_ALERT_DAILY_SUMMARY_AT);
  const dailySummary: DailySummaryConfig | undefined = at
    ? { at, timezone: nonEmpty(env.LIGNEE_ALERT_DAILY_SUMMARY_TIMEZONE) ?? "Europe/Paris" }
    : config.dailySummary;
  const maxAttempts = numberFrom(env, "LIGNEE_ALERT_MAX_ATTEMPTS", config.maxAttempts ?? 5);
  const settings = {
    channels: [...(config.channels ?? []), ...envChannels],
    dailySummary,
    publicUrl: nonEmpty(env.LIGNEE_PUBLIC_URL)?.replace(/\/+$/, ""),
    maxAttempts,
    retryMs: numberFrom(env, "LIGNEE_ALERT_RETRY_MS", 5_000),
    leaseMs: numberFrom(env, "LIGNEE_ALERT_LEASE_MS", 60_000),
    timeoutMs: numberFrom(env, "LIGNEE_ALERT_TIMEOUT_MS", 10_000),
    pollMs: numberFrom(env, "LIGNEE_ALERT_POLL_MS", 1_000),
    maxAgeMs: numberFrom(env, "LIGNEE_ALERT_MAX_AGE_HOURS", 24) * 3_600_000,
  };
  const problems = alertsProblems(
    { channels: settings.channels, ...(dailySummary ? { dailySummary } : {}), maxAttempts },
    (name) => definitions.findSchedule(name) !== undefined,
  );
  if (settings.timeoutMs >= settings.leaseMs)
    problems.push("LIGNEE_ALERT_TIMEOUT_MS must be shorter than LIGNEE_ALERT_LEASE_MS");
  if (problems.length > 0)
    throw new LigneeError("RUNTIME", `Invalid alert settings:\n  - ${problems.join("\n  - ")}`);
  return settings;
}

function channelsFromEnv(env: NodeJS.ProcessEnv): AlertChannelConfig[] {
  const filters = {
    kinds: list(env[ENV_KINDS]) as AlertEventKind[] | undefined,
    schedules: list(env[ENV_SCHEDULES]),
  };
  const common = {
    ...(filters.kinds ? { kinds: filters.kinds } : {}),
    ...(filters.schedules ? { schedules: filters.schedules } : {}),
  };
  const channels: AlertChannelConfig[] = [];
  const slack = nonEmpty(env.LIGNEE_ALERT_SLACK_WEBHOOK_URL);
  if (slack) channels.push({ kind: "slack", name: "slack", url: slack, ...common });
  const webhook = nonEmpty(env.LIGNEE_ALERT_WEBHOOK_URL);
  if (webhook) {
    const secret = env.LIGNEE_ALERT_WEBHOOK_SECRET ?? "";
    channels.push({ kind: "webhook", name: "webhook", url: webhook, secret, ...common });
  }
  const smtp = nonEmpty(env.LIGNEE_ALERT_SMTP_URL);
  if (smtp) {
    channels.push({
      kind: "email",
      name: "email",
      smtpUrl: smtp,
      to: list(env.LIGNEE_ALERT_EMAIL_TO) ?? [],
      from: nonEmpty(env.LIGNEE_ALERT_EMAIL_FROM) ?? "lignee@localhost",
      ...common,
    });
  }
  return channels;
}

function list(raw: string | undefined): string[] | undefined {
  const items = (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new LigneeError("RUNTIME", `${name} must be a positive number (got "${raw}")`);
  return n;
}
