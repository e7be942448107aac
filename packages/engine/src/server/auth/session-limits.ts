import { LigneeError, quote } from "../../errors";

/** How long a signed-in browser's session lasts. */
export interface SessionLimits {
  /** Without a request for this long, the session ends (default 60 minutes). */
  readonly idleMs: number;
  /** The session ends this long after sign-in, whatever its use (default 12 hours). */
  readonly absoluteMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * `LIGNEE_SESSION_IDLE_MINUTES` (default 60) and `LIGNEE_SESSION_MAX_HOURS` (default 12);
 * anything but a positive number is refused.
 *
 * @example
 * sessionLimitsFromEnv({ LIGNEE_SESSION_IDLE_MINUTES: "15" }); // { idleMs: 900000, absoluteMs: 43200000 }
 */
export function sessionLimitsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): SessionLimits {
  return {
    idleMs: positive(env, "LIGNEE_SESSION_IDLE_MINUTES", 60) * MINUTE,
    absoluteMs: positive(env, "LIGNEE_SESSION_MAX_HOURS", 12) * HOUR,
  };
}

function positive(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    throw new LigneeError("RUNTIME", `${name} must be a positive number, not ${quote(text)}`);
  }
  return n;
}
