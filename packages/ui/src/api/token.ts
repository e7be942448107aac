/**
 * The API token, when the server asks for one (LIGNEE_API_TOKEN): asked once, kept for the
 * browser session, sent as a bearer token.
 */
const STORAGE_KEY = "lignee.apiToken";
const listeners = new Set<() => void>();

export function apiToken(): string | undefined {
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

export function setApiToken(token: string | undefined): void {
  if (token) sessionStorage.setItem(STORAGE_KEY, token);
  else sessionStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener();
}

/** Called when the server refused the token (or none was given). */
let tokenNeeded = false;
export function markTokenNeeded(): void {
  if (tokenNeeded) return;
  tokenNeeded = true;
  for (const listener of listeners) listener();
}

export function isTokenNeeded(): boolean {
  return tokenNeeded;
}

export function clearTokenNeeded(): void {
  tokenNeeded = false;
}

export function onTokenChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function authHeaders(): Record<string, string> {
  const token = apiToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}
