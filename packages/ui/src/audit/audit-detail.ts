/**
 * An audit line's detail in one short line: `key: value` pairs in their order (empty values
 * and the keys in `omit` left out), values that are not text written as JSON, the whole cut at
 * `max` characters.
 */
export function summarizeDetail(
  detail: Readonly<Record<string, unknown>>,
  max = 120,
  omit: readonly string[] = [],
): string {
  const text = Object.entries(detail)
    .filter(([key, value]) => !isEmpty(value) && !omit.includes(key))
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
  "user.enable",
  "user.set-password",
  "user.set-password-refused",
  "user.set-role",
  "token.create",
  "token.revoke",
  "session.sign-in",
  "session.sign-out",
  "session.sign-in-refused",
];

/**
 * The families of actions (`token` for `token.create` and `token.revoke`…), which the server's
 * action filter matches by the part before the dot, in the order of `AUDIT_ACTIONS`.
 */
export const AUDIT_FAMILIES: readonly string[] = [
  ...new Set(AUDIT_ACTIONS.map((action) => action.split(".")[0]!)),
];

/** The refused sign-ins' lines: their actor is the name typed, which may be nobody's. */
export const SIGN_IN_REFUSED = "session.sign-in-refused";

/** Who did it, as the Who column says it: the actor, and how it was recognised. */
export function describeActor(event: {
  readonly actor: string;
  readonly actorKind: string;
  readonly action: string;
  readonly detail: Readonly<Record<string, unknown>>;
}): { name: string; kind: string; token: string | null } {
  const token = typeof event.detail.token === "string" ? event.detail.token : null;
  const kind = event.action === SIGN_IN_REFUSED ? "name typed" : event.actorKind;
  return { name: event.actor, kind, token };
}
