import type { Hono } from "hono";
import { dummyVerify, hashPassword, passwordProblem, verifyPassword } from "../auth/password";
import { newSessionSecret, sha256 } from "../auth/secrets";
import type { AuthStore } from "../storage/auth/auth-store";
import { audit } from "./auth/audit";
import { answerNewSession } from "./auth/new-session";
import { principalOf } from "./auth/principal";
import type { SessionLimits } from "./auth/session-limits";
import { reserveAttempt } from "./auth/attempt-password";
import { signInKeys } from "./auth/sign-in-limit";
import { HttpError } from "./http-error";
import { jsonBody } from "./json-body";
import { PasswordChangeRequestBody } from "./schemas";

export interface AccountRoutesOptions {
  /** Without it, nobody has an account (404). */
  readonly store: AuthStore | undefined;
  /** The new session made by a password change lasts as a sign-in's. */
  readonly sessions: SessionLimits;
}

/**
 * `/api/account`: what a signed-in user does to its own account. `PUT /api/account/password`
 * changes its password, proving the current one: a wrong one is a failed sign-in for the user
 * (the same rate limit: once limited, 429, even with the right one), recorded as
 * `user.set-password-refused`; on success all the user's sessions end, the caller's included
 * (its cookie may be the one that leaked), and the caller gets a new one, answered as a
 * sign-in's. Only with a session: a token proves no password, the service token and the local
 * mode have none.
 */
export function registerAccountRoutes(app: Hono, options: AccountRoutesOptions): void {
  app.put("/api/account/password", async (c) => {
    const store = options.store;
    if (!store) throw new HttpError(404, "accounts are not available on this server");
    const principal = principalOf(c);
    if (principal?.via === "token") {
      throw new HttpError(403, "a password is changed after signing in, not with a token");
    }
    const session = c.get("session");
    if (principal?.via !== "session" || !session) {
      throw new HttpError(409, "only a signed-in user has a password to change here");
    }
    const { current, password } = PasswordChangeRequestBody.parse(await jsonBody(c));
    const problem = passwordProblem(password);
    if (problem !== undefined) throw new HttpError(400, problem);

    const { user } = session.record;
    const now = new Date();
    // Counted under the user's key only: the caller is signed in, its address is not guessing.
    const keys = { user: signInKeys(user.name, "").user };
    const attempt = await reserveAttempt(c, store, keys, now);
    if ("refused" in attempt) return attempt.refused;
    const { reservation } = attempt;
    const found = await store.findUser(user.name);
    const currentHash = found?.user.id === user.id ? found.passwordHash : null;
    const valid = currentHash
      ? await verifyPassword(current, currentHash)
      : await dummyVerify(current);
    // The reserved attempt stays when the password is wrong: it was a failure.
    if (!valid || !currentHash) {
      await audit(c, "user.set-password-refused", user.name);
      throw new HttpError(403, "the current password is wrong");
    }
    await store.releaseSignInAttempt(reservation);

    const secret = newSessionSecret();
    const expiresAt = new Date(now.getTime() + options.sessions.absoluteMs);
    const changed = await store.changeOwnPassword({
      userId: user.id,
      currentHash,
      passwordHash: await hashPassword(password),
      newSecretHash: sha256(secret),
      at: now,
      expiresAt,
    });
    if (!changed) {
      throw new HttpError(409, "the password was changed meanwhile: sign in again");
    }
    await audit(c, "user.set-password", user.name);
    return answerNewSession(c, { user, secret, expiresAt, limits: options.sessions });
  });
}
