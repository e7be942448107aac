import type { Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { z } from "zod";
import { dummyVerify, verifyPassword } from "../auth/password";
import { csrfTokenFor, newSessionSecret, sha256 } from "../auth/secrets";
import type { AuthStore } from "../storage/auth/auth-store";
import { audit } from "./auth/audit";
import { overHttps, SESSION_COOKIE } from "./auth/authenticate";
import { principalOf } from "./auth/principal";
import type { SessionLimits } from "./auth/session-limits";
import { signInKeys, signInRefusal, SIGN_IN_WINDOW_MS } from "./auth/sign-in-limit";
import { HttpError } from "./http-error";
import { jsonBody } from "./json-body";
import { SignInRequestBody, type SessionBody } from "./schemas";

export interface SessionRoutesOptions {
  /** Without it, nobody can sign in (404): the service token or the local mode only. */
  readonly store: AuthStore | undefined;
  readonly sessions: SessionLimits;
}

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
    const address = clientAddress(c);
    const keys = signInKeys(name, address);
    const refused = (reason: "invalid" | "rate-limited") =>
      audit(c, "session.sign-in-refused", name, { address, reason }, asUser(name));

    const failures = await store.signInFailures(
      [keys.user, keys.address],
      new Date(now.getTime() - SIGN_IN_WINDOW_MS),
    );
    const limited = signInRefusal(failures, keys, now);
    if (limited) {
      await refused("rate-limited");
      return c.json({ error: "too many failed sign-ins: try again later" }, 429, {
        "Retry-After": String(limited.retryAfterSeconds),
      });
    }

    const found = await store.findUser(name);
    let valid = false;
    if (found?.passwordHash) {
      // Verified even for a disabled user: the time taken tells nothing.
      valid = (await verifyPassword(password, found.passwordHash)) && !found.user.disabledAt;
    } else {
      await dummyVerify(password);
    }
    if (!found || !valid) {
      await store.recordSignInFailure([keys.user, keys.address], now);
      await refused("invalid");
      throw new HttpError(401, INVALID_SIGN_IN);
    }

    const { user } = found;
    const secret = newSessionSecret();
    const expiresAt = new Date(now.getTime() + options.sessions.absoluteMs);
    await store.createSession({ userId: user.id, secretHash: sha256(secret), at: now, expiresAt });
    await store.clearSignInFailures(keys.user);
    await store.recordSignIn(user.id, now);
    await audit(c, "session.sign-in", user.name, { address }, asUser(user.name));
    setCookie(c, SESSION_COOKIE, secret, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      secure: overHttps(c),
    });
    c.header("Cache-Control", "no-store");
    const body: z.input<typeof SessionBody> = {
      mode: "users",
      user: { name: user.name, role: user.role },
      via: "session",
      csrfToken: csrfTokenFor(secret),
      expiresAt: expiresAt.toISOString(),
      idleMinutes: options.sessions.idleMs / 60_000,
    };
    return c.json(body);
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
 * The client's address as the socket has it (a proxy's, behind one: headers naming another
 * are not trusted, they would let a client choose its own rate limit key); `local` for
 * requests made in-process.
 */
function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? "local";
}
