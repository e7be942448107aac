/**
 * Text safe to announce outside the platform (alerts): URLs keep their scheme, host and path but
 * lose their user information and query, where passwords and tokens travel
 * (`postgres://user:secret@db/x` → `postgres://db/x`, `https://h/p?token=t` → `https://h/p?…`).
 */
export function scrubCredentials(text: string): string {
  return text.replace(
    /\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/@]*@)?([^\s/?#]+)([^\s?#]*)(\?[^\s#]*)?/gi,
    (_m, scheme: string, host: string, path: string, query: string | undefined) =>
      `${scheme}${host}${path}${query ? "?…" : ""}`,
  );
}
