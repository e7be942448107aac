import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { matchedRoutes } from "hono/route";
import { roleAtLeast, tokenRole } from "../../auth/roles";
import { isCsrfTokenOf, sha256, TOKEN_PREFIX } from "../../auth/secrets";
import type { AuthStore, SessionRecord } from "../../storage/auth/auth-store";
import type { AuthMode } from "../wire";
import { bearerToken, secretMatcher } from "../guards";
import { HttpError } from "../http-error";
import { LOCAL_PRINCIPAL, SERVICE_PRINCIPAL, type Principal } from "./principal";
import { openApiPath, routeAccess } from "./route-roles";
import type { SessionLimits } from "./session-limits";

/** The cookie holding a signed-in browser's session secret. */
export const SESSION_COOKIE = "lignee_session";
/** The header a signed-in browser sends with every write (see `csrfTokenFor`). */
export const CSRF_HEADER = "X-Lignee-CSRF";
/**
 * Sent (`1`) by the UI with the requests it makes while nobody uses the page (polling): they
 * are answered as any other, but do not keep a session alive, so an open tab left alone still
 * reaches the idle expiry.
 */
export const BACKGROUND_HEADER = "X-Lignee-Background";

const AUTHENTICATE = { "WWW-Authenticate": 'Bearer realm="lignee"' } as const;
const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

export interface AuthenticateOptions {
  /** Users, sessions and tokens; without it, the service token or the local mode only. */
  readonly store?: AuthStore;
  /** `LIGNEE_API_TOKEN`: acts as admin. */
  readonly serviceToken?: string;
  /** Is the server bound to loopback? Only there may nobody sign in (the local mode). */
  readonly loopback: boolean;
  readonly sessions: SessionLimits;
}

/** A signed-in browser's session, as this request presented it. */
export interface CurrentSession {
  readonly secret: string;
  readonly record: SessionRecord;
}

declare module "hono" {
  interface ContextVariableMap {
    /** Set when the request was recognised by its session cookie. */
    session: CurrentSession | undefined;
    /** How this server admits callers now (the users table may change while it runs). */
    authMode: () => Promise<AuthMode>;
    /**
     * Is this request's caller still admitted to its route (its session not ended, its token
     * not revoked, its role not lowered)? For answers that last: an event stream.
     */
    stillAdmitted: () => Promise<boolean>;
  }
}

/**
 * Who is calling, then may they: the principal is resolved in this order — the service token,
 * a user's token (`Bearer lgn_…`), the session cookie, else the local mode when no user is
 * active, no service token is set and the server is on loopback. An `Authorization` header
 * that names nobody (a revoked token) is nobody: neither the cookie nor the local mode stand
 * in. Then the route's rule (`ROUTE_ROLES`): 401 when nobody was recognised, 403 when the role
 * is too low or the route has no rule. Then, for a cookie-authenticated write, the CSRF header.
 *
 * A path no route answers (a 404 or 405 to come) needs somebody recognised, nothing more.
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler {
  const { store } = options;
  const isServiceToken =
    options.serviceToken !== undefined ? secretMatcher(options.serviceToken) : () => false;

  const hasActiveUsers = async (): Promise<boolean> =>
    store !== undefined && (await store.hasActiveUsers());
  const mode = async (): Promise<AuthMode> => {
    if (await hasActiveUsers()) return "users";
    if (options.serviceToken !== undefined) return "token";
    return options.loopback ? "local" : "users";
  };

  const resolve = async (c: Context, active: boolean): Promise<Principal | undefined> => {
    const now = new Date();
    const authorization = c.req.header("authorization");
    if (authorization !== undefined && authorization.trim() !== "") {
      // A header given but not recognised is refused: no fall back to the cookie or the local mode.
      const bearer = bearerToken(authorization);
      if (bearer === undefined) return undefined;
      if (isServiceToken(bearer)) return SERVICE_PRINCIPAL;
      if (store && bearer.startsWith(TOKEN_PREFIX)) {
        const used = await store.useToken(sha256(bearer), now);
        if (used) {
          return {
            via: "token",
            name: used.user.name,
            role: tokenRole(used.user.role, used.token.scope),
            userId: used.user.id,
            tokenId: used.token.id,
            tokenLabel: used.token.label,
          };
        }
      }
      return undefined;
    }
    const secret = store ? getCookie(c, SESSION_COOKIE) : undefined;
    if (store && secret !== undefined && secret !== "") {
      const record = await store.touchSession(sha256(secret), now, options.sessions.idleMs, active);
      if (record) {
        c.set("session", { secret, record });
        return {
          via: "session",
          name: record.user.name,
          role: record.user.role,
          userId: record.user.id,
        };
      }
    }
    if (options.serviceToken === undefined && options.loopback && !(await hasActiveUsers())) {
      return LOCAL_PRINCIPAL;
    }
    return undefined;
  };

  return async (c, next) => {
    c.set("authMode", mode);
    const principal = await resolve(c, c.req.header(BACKGROUND_HEADER) !== "1");
    c.set("principal", principal);
    const template = routeTemplate(c);
    if (template === undefined) {
      // No route answers this path: a 404 or a 405, for those who may see the API.
      if (principal === undefined) throw await unauthorized(c, mode);
      return next();
    }
    const method = c.req.method === "HEAD" ? "GET" : c.req.method;
    const access = routeAccess(method, template);
    if (access === undefined) throw new HttpError(403, "no access rule for this route");
    c.set("stillAdmitted", async () => {
      if (access === "public") return true;
      // Checking again is not activity: an open stream does not keep a session alive.
      const again = await resolve(c, false);
      return (
        again !== undefined &&
        again.via === principal?.via &&
        again.name === principal.name &&
        roleAtLeast(again.role, access)
      );
    });
    if (access !== "public") {
      if (principal === undefined) throw await unauthorized(c, mode);
      if (!roleAtLeast(principal.role, access)) {
        throw new HttpError(403, `your role (${principal.role}) may not ${method} ${template}`);
      }
    }
    // Signing in authenticates by its password, whatever cookie the browser still holds.
    const signIn = method === "POST" && template === "/api/session";
    if (principal?.via === "session" && !SAFE_METHODS.includes(method) && !signIn) {
      requireCsrf(c);
    }
    return next();
  };
}

/** The OpenAPI path of the route that will answer this request, when one will. */
function routeTemplate(c: Context): string | undefined {
  const route = matchedRoutes(c).find(
    (r) => r.method !== "ALL" && (r.path.startsWith("/api/") || r.path === "/metrics"),
  );
  return route === undefined ? undefined : openApiPath(route.path);
}

/**
 * The 401 of a request nobody was recognised in: with users, a bearer token sent but not
 * recognised is said to be one (not a sign-in to do).
 */
async function unauthorized(c: Context, mode: () => Promise<AuthMode>): Promise<HttpError> {
  const users = (await mode()) === "users";
  const message = !users
    ? "missing or invalid bearer token"
    : bearerToken(c.req.header("authorization")) !== undefined
      ? "invalid or revoked API token"
      : "sign-in required: sign in, or send an API token (Authorization: Bearer …)";
  return new HttpError(401, message, { headers: AUTHENTICATE });
}

/** The CSRF header must be the session's token (compared in constant time). */
function requireCsrf(c: Context): void {
  const session = c.get("session");
  const given = c.req.header(CSRF_HEADER);
  if (!session || given === undefined || !isCsrfTokenOf(session.secret, given)) {
    throw new HttpError(403, "missing or invalid CSRF token");
  }
}
