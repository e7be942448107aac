import type { Context, MiddlewareHandler } from "hono";
import { createHash, timingSafeEqual } from "node:crypto";
import { quote } from "../errors";
import { HttpError } from "./http-error";

/**
 * Request guards for an API that starts and cancels runs. Browsers are the threat: any page the
 * user visits can send requests to 127.0.0.1, so the API checks who is asking.
 */

/** What a 401 answers with: the scheme the client must use (RFC 6750). */
const AUTHENTICATE = { "WWW-Authenticate": 'Bearer realm="lignee"' } as const;

/**
 * Every call needs `Authorization: Bearer <token>`; the scheme name is case-insensitive (RFC
 * 9110), the token is not. (The API itself admits more callers: see `auth/authenticate.ts`.)
 */
export function requireToken(token: string): MiddlewareHandler {
  const matches = secretMatcher(token);
  return async (c, next) => {
    const given = bearerToken(c.req.header("authorization"));
    if (given === undefined || !matches(given)) {
      throw new HttpError(401, "missing or invalid bearer token", { headers: AUTHENTICATE });
    }
    await next();
  };
}

/**
 * Does a secret given equal this one? They are compared as SHA-256 digests, in constant time:
 * neither the secret's content nor its length shows in the time taken.
 */
export function secretMatcher(secret: string): (given: string) => boolean {
  const expected = digest(secret);
  return (given) => timingSafeEqual(digest(given), expected);
}

/** The token of a `Bearer` authorization header, whatever the case of the scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^bearer +(\S+) *$/i.exec(header ?? "");
  return match?.[1];
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * Only these host names in the `Host` header. Bound to loopback, this defeats DNS rebinding:
 * a hostile name resolving to 127.0.0.1 reaches the socket but carries its own name.
 */
export function allowHosts(hostnames: readonly string[]): MiddlewareHandler {
  const allowed = new Set(hostnames.map((h) => h.toLowerCase()));
  return async (c, next) => {
    const host = hostnameOf(requestHost(c));
    if (!allowed.has(host))
      throw new HttpError(403, `requests for host ${quote(host)} are not served`);
    await next();
  };
}

/**
 * A state-changing call from a browser page of another origin is refused (cross-site request
 * forgery: a POST without a body needs no CORS preflight). Non-browser clients send no Origin.
 * An origin is scheme, host and port together: `https://127.0.0.1:3000` or a page served over
 * another port is another origin; `null` (sandboxed pages, file://) is always foreign.
 */
export function sameOriginWrites(): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (!["GET", "HEAD", "OPTIONS"].includes(c.req.method) && origin !== undefined) {
      if (!isOwnOrigin(origin, c)) {
        throw new HttpError(403, "cross-origin requests may not change anything");
      }
    }
    await next();
  };
}

/**
 * Browsers send an origin serialised (`scheme://host[:port]`, lower case, no default port, no
 * user or path), so it must equal this request's own origin serialised the same way; anything
 * else (user info, a path, `null`) is foreign. The scheme is the request URL's (http for this
 * server), the host and port the `Host` header's.
 */
function isOwnOrigin(origin: string, c: Context): boolean {
  let own: string;
  try {
    own = new URL(`${new URL(c.req.url).protocol}//${requestHost(c)}`).origin;
  } catch {
    return false;
  }
  return origin.trim().toLowerCase() === own;
}

/** The `Host` header (always sent over HTTP/1.1), else the request URL's host (in-process calls). */
function requestHost(c: Context): string {
  return (c.req.header("host") ?? new URL(c.req.url).host).trim().toLowerCase();
}

function hostnameOf(hostHeader: string): string {
  const h = hostHeader;
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon === -1 ? h : h.slice(0, colon);
}
