import type { Context } from "hono";
import type { AuthStore, SignInReservation } from "../../storage/auth/auth-store";
import { signInRefusal, SIGN_IN_WINDOW_MS } from "./sign-in-limit";

/**
 * Counts an attempt at a password (a sign-in, or a signed-in user's current password) as a
 * failure under the user's key, and the client address's when given, before the password is
 * checked, so that parallel attempts cannot slip past the limit. Over the limit: the count is taken back and the answer is `429` with
 * `Retry-After`; else the reservation, to release once the password proved right.
 */
export async function reserveAttempt(
  c: Context,
  store: AuthStore,
  keys: { readonly user: string; readonly address?: string },
  now: Date,
): Promise<{ readonly reservation: SignInReservation } | { readonly refused: Response }> {
  const counted = keys.address === undefined ? [keys.user] : [keys.user, keys.address];
  const since = new Date(now.getTime() - SIGN_IN_WINDOW_MS);
  const reservation = await store.reserveSignInAttempt(counted, now, since);
  const limited = signInRefusal(reservation.earlier, { address: "", ...keys }, now);
  if (!limited) return { reservation };
  await store.releaseSignInAttempt(reservation);
  const refused = c.json({ error: "too many failed sign-ins: try again later" }, 429, {
    "Retry-After": String(limited.retryAfterSeconds),
  });
  return { refused };
}
