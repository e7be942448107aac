import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import type { z } from "zod";
import type { Role } from "../../auth/roles";
import { csrfTokenFor } from "../../auth/secrets";
import { overHttps } from "../guards";
import type { SessionBody } from "../schemas";
import { SESSION_COOKIE } from "./authenticate";
import type { SessionLimits } from "./session-limits";

/**
 * The answer to a request that made a new session (a sign-in, a change of one's own password):
 * its cookie (`HttpOnly; SameSite=Strict; Path=/`, `Secure` over HTTPS) and the session, with
 * the CSRF token its writes send.
 */
export function answerNewSession(
  c: Context,
  session: {
    user: { name: string; role: Role };
    secret: string;
    expiresAt: Date;
    limits: SessionLimits;
  },
): Response {
  setCookie(c, SESSION_COOKIE, session.secret, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    secure: overHttps(c),
  });
  c.header("Cache-Control", "no-store");
  const body: z.input<typeof SessionBody> = {
    mode: "users",
    user: { name: session.user.name, role: session.user.role },
    via: "session",
    csrfToken: csrfTokenFor(session.secret),
    expiresAt: session.expiresAt.toISOString(),
    idleMinutes: session.limits.idleMs / 60_000,
  };
  return c.json(body);
}
