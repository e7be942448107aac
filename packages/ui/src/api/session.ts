import { apiToken, markTokenNeeded, setApiToken } from "./token";
import type { AuthMode, Session } from "./types";

/**
 * What the client keeps of the session between calls: the server's mode and, for a signed-in
 * browser, the CSRF token sent with every request that changes something. Read by the request
 * helper; written when the session is asked for, given by a sign-in, or ended.
 */
let mode: AuthMode | undefined;
let csrfToken: string | undefined;
const lostListeners = new Set<() => void>();

export function rememberSession(session: Session): Session {
  mode = session.mode;
  csrfToken = session.csrfToken;
  // A token kept from before users were added, which the server no longer recognises, would
  // be sent with every call and refuse them all, the signed-in browser's too.
  if (session.mode === "users" && session.via === null && apiToken() !== undefined) {
    setApiToken(undefined);
  }
  return session;
}

export function forgetSession(): void {
  csrfToken = undefined;
}

/** The header a request that is not a GET needs when the browser is signed in. */
export function csrfHeaders(method: string | undefined): Record<string, string> {
  const read = method === undefined || ["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
  return !read && csrfToken ? { "X-Lignee-CSRF": csrfToken } : {};
}

/**
 * A call was refused as unauthenticated. With the service token only (or before the mode is
 * known), the token is asked for; otherwise the session is asked for again: it expired, was
 * ended elsewhere, or sign-in was just turned on. `sentToken`: the API token the call carried.
 */
export function unauthorized(sentToken: string | undefined): void {
  // Refused with a token no longer the one kept (an answer to a call sent before a token was
  // entered, arriving after): it says nothing of the current one, whose calls follow.
  if (sentToken !== apiToken()) return;
  if (mode === undefined || mode === "token") markTokenNeeded();
  else for (const listener of lostListeners) listener();
}

export function onSessionLost(listener: () => void): () => void {
  lostListeners.add(listener);
  return () => lostListeners.delete(listener);
}

/**
 * A session lost under the tab (expired, ended elsewhere, its user disabled), kept in the tab's
 * session storage until the next sign-in or sign-out: the sign-in page then says the session
 * ended, which a first visit does not.
 */
const ENDED_KEY = "lignee.sessionEnded";

export function markSessionEnded(): void {
  try {
    sessionStorage.setItem(ENDED_KEY, "1");
  } catch {
    // storage unavailable: the sign-in page stays the plain one
  }
}

export function clearSessionEnded(): void {
  try {
    sessionStorage.removeItem(ENDED_KEY);
  } catch {
    // storage unavailable
  }
}

export function sessionEnded(): boolean {
  try {
    return sessionStorage.getItem(ENDED_KEY) === "1";
  } catch {
    return false;
  }
}
