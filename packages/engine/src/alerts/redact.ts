/**
 * A URL without what may be secret in it (credentials, path tokens, query): its host and
 * `…`, e.g. `hooks.slack.com/…`.
 */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.host}/…`;
  } catch {
    return "…";
  }
}

/** `text` with each of `secrets` (and any URL's path and credentials) replaced by `…`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 4) out = out.split(secret).join("…");
  }
  // Any URL left (an error echoing the request) keeps only its scheme and host.
  return out
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/@]*@)?([^\s/?#]+)[^\s]*/gi, "$1$2/…")
    .replace(/…+/g, "…");
}

/** The secrets inside a URL worth scrubbing from errors: itself, its password, its path. */
export function urlSecrets(raw: string): string[] {
  try {
    const url = new URL(raw);
    return [raw, decodeURIComponent(url.password), url.pathname.length > 1 ? url.pathname : ""]
      .concat(url.search ? [url.search] : [])
      .filter((s) => s.length > 0);
  } catch {
    return [raw];
  }
}
