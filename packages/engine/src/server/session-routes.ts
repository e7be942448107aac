import type { Context, Hono } from "hono";
import { deleteCookie } from "hono/cookie";
import type { z } from "zod";
import { dummyVerify, verifyPassword } from "../auth/password";
import { csrfTokenFor, newSessionSecret, sha256 } from "../auth/secrets";
import type { AuthStore } from "../storage/auth/auth-store";
import { audit } from "./auth/audit";
import { SESSION_COOKIE } from "./auth/authenticate";
import { answerNewSession } from "./auth/new-session";
import { principalOf } from "./auth/principal";
import type { SessionLimits } from "./auth/session-limits";
import { reserveAttempt } from "./auth/attempt-password";
import { signInKeys } from "./auth/sign-in-limit";
import { overHttps } from "./guards";
import { HttpError } from "./http-error";
import { jsonBody } from "./json-body";
import { SignInRequestBody, type SessionBody } from "./schemas";

export interface SessionRoutesOptions {
  /** Without it, nobody can sign in (404): the service token or the local mode only. */
  readonly store: AuthStore | undefined;
  readonly sessions: SessionLimits;
  /**
   * `LIGNEE_TRUST_PROXY`: the server is reached through a reverse proxy whose
   * `X-Forwarded-For` names the client. Without it, the rate limit counts failures per socket
   * address: behind a proxy, all clients share the proxy's.
   */
  readonly trustProxy?: boolean;
}

/** The longest user name (see `userNameProblem`): what the audit trail keeps of a name given. */
const USER_NAME_MAX = 64;

/** The one answer to any refused sign-in: it does not tell which part was wrong. */
export const INVALID_SIGN_IN = "invalid user name or password";

/**
 * `/api/session`: who is calling and how this server admits callers (`GET`, public), signing in
 * with a name and a password (`POST`: a session cookie; failures are rate limited per user and
 * per client address, checked before the password), signing out (`DELETE`).
 */
export function registerSessionRoutes(app: Hono, options: SessionRoutesOptions): void {
  app.get("/api/session", async (c) => {
    const principal = principalOf(c);
    const session = c.get("session");
    const body: z.input<typeof SessionBody> = {
      mode: await c.get("authMode")(),
      user:
        principal && principal.name !== null && principal.via !== "service"
          ? { name: principal.name, role: principal.role }
          : null,
      via: principal?.via ?? null,
      ...(session
        ? {
            csrfToken: csrfTokenFor(session.secret),
            expiresAt: session.record.expiresAt.toISOString(),
            idleMinutes: options.sessions.idleMs / 60_000,
          }
        : {}),
    };
    c.header("Cache-Control", "no-store");
    return c.json(body);
  });

  app.post("/api/session", async (c) => {
    const store = options.store;
    if (!store) throw new HttpError(404, "sign-in is not available on this server");
    const { name, password } = SignInRequestBody.parse(await jsonBody(c));
    const now = new Date();
    const address = clientAddress(c, options.trustProxy ?? false);
    const keys = signInKeys(name, address);
    // Only wrong passwords are recorded (not the refusals once limited, which a client can
    // send without end), under the name given clipped to a user name's length.
    const given = name.slice(0, USER_NAME_MAX);
    const refused = () =>
      audit(c, "session.sign-in-refused", given, { address, reason: "invalid" }, asUser(given));

    // Counted before the password is checked, parallel attempts included: none slips past.
    const attempt = await reserveAttempt(c, store, keys, now);
    if ("refused" in attempt) return attempt.refused;
    const { reservation } = attempt;

    const found = await store.findUser(name);
    let valid = false;
    if (found?.passwordHash) {
      // Verified even for a disabled user: the time taken tells nothing.
      valid = (await verifyPassword(password, found.passwordHash)) && !found.user.disabledAt;
    } else {
      await dummyVerify(password);
    }
    if (!found || !valid) {
      // The reserved attempt stays: it was a failure.
      await refused();
      throw new HttpError(401, INVALID_SIGN_IN);
    }

    const { user } = found;
    const secret = newSessionSecret();
    const expiresAt = new Date(now.getTime() + options.sessions.absoluteMs);
    const created = await store.createSession({
      userId: user.id,
      passwordHash: found.passwordHash!,
      secretHash: sha256(secret),
      at: now,
      expiresAt,
    });
    if (!created) {
      // Its password was set, or it was disabled, while the old password was being checked.
      await refused();
      throw new HttpError(401, INVALID_SIGN_IN);
    }
    await store.releaseSignInAttempt(reservation);
    await store.clearSignInFailures(keys.user);
    await store.recordSignIn(user.id, now);
    await audit(c, "session.sign-in", user.name, { address }, asUser(user.name));
    return answerNewSession(c, { user, secret, expiresAt, limits: options.sessions });
  });

  app.delete("/api/session", async (c) => {
    const session = c.get("session");
    if (session && options.store) {
      await options.store.deleteSession(sha256(session.secret));
      await audit(c, "session.sign-out", session.record.user.name);
    }
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: overHttps(c) });
    return c.body(null, 204);
  });
}

/** Who signs in is not the caller yet: the audit trail names the user (or the name given). */
function asUser(name: string): { actor: string; actorKind: "user" } {
  return { actor: name, actorKind: "user" };
}

/**
 * The client's address as the socket has it (a proxy's, behind one); `local` for requests made
 * in-process. With `trustProxy`, the last address of `X-Forwarded-For`, the one the proxy
 * added (those before it are the client's to choose: they would let it pick its own rate
 * limit key).
 */
function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = (c.req.header("x-forwarded-for") ?? "")
      .split(",")
      .map((a) => a.trim())
      .filter((a) => a !== "");
    const last = forwarded[forwarded.length - 1];
    if (last !== undefined) return last.slice(0, 64);
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? "local";
}
