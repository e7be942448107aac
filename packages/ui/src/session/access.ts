/** Where sign-in goes and comes back to, and what a session allows. */
import type { Session } from "../api/types";

/** The sign-in page's own path. */
export const SIGN_IN_PATH = "/sign-in";

/** The sign-in page's address that comes back to `where` (a path with its query) after. */
export function signInPath(where: string): string {
  return where === "/" || where.startsWith(SIGN_IN_PATH)
    ? SIGN_IN_PATH
    : `${SIGN_IN_PATH}?next=${encodeURIComponent(where)}`;
}

/**
 * Where to go after signing in, from the sign-in page's query: a path of this app only (never
 * another site, e.g. `//evil.example` or `https://…`), else the lineage.
 */
export function nextPath(search: string): string {
  const next = new URLSearchParams(search).get("next");
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next.startsWith(SIGN_IN_PATH) ? "/" : next;
}

/** A sign-in is needed: users mode and nobody recognised. */
export function needsSignIn(session: Session | undefined): boolean {
  return session?.mode === "users" && session.user === null;
}

/** May the caller administer users: an admin, or the single-user and service-token modes. */
export function canAdminister(session: Session | undefined): boolean {
  if (!session) return false;
  if (session.mode === "users") return session.user?.role === "admin";
  return session.mode === "local" || session.via === "service";
}
