/**
 * An audit line's detail in one short line: `key: value` pairs in their order (empty values
 * left out), values that are not text written as JSON, the whole cut at `max` characters.
 */
export function summarizeDetail(detail: Readonly<Record<string, unknown>>, max = 120): string {
  const text = Object.entries(detail)
    .filter(([, value]) => !isEmpty(value))
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" · ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}

/** The actions the trail records, offered in the action filter (any other can be typed). */
export const AUDIT_ACTIONS: readonly string[] = [
  "run.launch",
  "run.cancel",
  "run.reexecute",
  "backfill.launch",
  "backfill.cancel",
  "automation.enable",
  "automation.disable",
  "check.enable",
  "check.disable",
  "check.run",
  "partitions.add",
  "partitions.remove",
  "maintenance.launch",
  "definitions.reload",
  "alerts.test",
  "alerts.retry",
  "user.add",
  "user.disable",
  "user.set-password",
  "user.set-role",
  "token.create",
  "token.revoke",
  "session.sign-in",
  "session.sign-out",
  "session.sign-in-refused",
];
