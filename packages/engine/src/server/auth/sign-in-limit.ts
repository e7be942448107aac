/**
 * How many failed sign-ins are too many: at least `USER_LIMIT` for one user name, or
 * `ADDRESS_LIMIT` from one client address, within `WINDOW_MS`. Pure: the store counts, this
 * decides. A caller refused is told when to try again: when enough failures have left the
 * window.
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

/**
 * Undefined when a sign-in may be tried; else the seconds to wait (at least 1): until enough
 * of the failures in the window have left it for fewer than the limit to remain. `earlier`:
 * per key, the failures before this attempt within the window, oldest first.
 *
 * @example
 * const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 10, m));
 * const earlier = new Map([["user:alice", [at(0), at(1), at(2), at(3), at(4)]]]);
 * signInRefusal(earlier, signInKeys("Alice", "192.0.2.1"), at(5));
 * // { retryAfterSeconds: 600 }
 */
export function signInRefusal(
  earlier: ReadonlyMap<string, readonly Date[]>,
  keys: SignInKeys,
  now: Date,
): { retryAfterSeconds: number } | undefined {
  const waits: number[] = [];
  for (const [key, limit] of [
    [keys.user, USER_LIMIT],
    [keys.address, ADDRESS_LIMIT],
  ] as const) {
    const times = earlier.get(key) ?? [];
    if (times.length < limit) continue;
    // Below the limit once the (count - limit + 1)-th oldest has left the window.
    const leaving = times[times.length - limit]!;
    const leaves = leaving.getTime() + SIGN_IN_WINDOW_MS - now.getTime();
    waits.push(Math.max(1, Math.ceil(leaves / 1000)));
  }
  return waits.length === 0 ? undefined : { retryAfterSeconds: Math.max(...waits) };
}
