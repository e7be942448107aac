/**
 * How many failed sign-ins are too many: at least `USER_LIMIT` for one user name, or
 * `ADDRESS_LIMIT` from one client address, within `WINDOW_MS`. Pure: the store counts, this
 * decides. A caller refused is told when to try again: when the oldest failure of the window
 * leaves it.
 */
export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const USER_LIMIT = 5;
export const ADDRESS_LIMIT = 20;

/** The keys a sign-in's failures are counted under. */
export interface SignInKeys {
  readonly user: string;
  readonly address: string;
}

/** `user:<name in lower case>` and `address:<client address>`. */
export function signInKeys(name: string, address: string): SignInKeys {
  return { user: `user:${name.toLowerCase()}`, address: `address:${address}` };
}

export interface FailureCount {
  readonly count: number;
  readonly oldest: Date;
}

/**
 * Undefined when a sign-in may be tried; else the seconds to wait (at least 1).
 *
 * @example
 * const failures = new Map([["user:alice", { count: 5, oldest: new Date("2026-01-01T10:00:00Z") }]]);
 * signInRefusal(failures, signInKeys("Alice", "192.0.2.1"), new Date("2026-01-01T10:05:00Z"));
 * // { retryAfterSeconds: 600 }
 */
export function signInRefusal(
  failures: ReadonlyMap<string, FailureCount>,
  keys: SignInKeys,
  now: Date,
): { retryAfterSeconds: number } | undefined {
  const waits: number[] = [];
  for (const [key, limit] of [
    [keys.user, USER_LIMIT],
    [keys.address, ADDRESS_LIMIT],
  ] as const) {
    const f = failures.get(key);
    if (f === undefined || f.count < limit) continue;
    const leaves = f.oldest.getTime() + SIGN_IN_WINDOW_MS - now.getTime();
    waits.push(Math.max(1, Math.ceil(leaves / 1000)));
  }
  return waits.length === 0 ? undefined : { retryAfterSeconds: Math.max(...waits) };
}
