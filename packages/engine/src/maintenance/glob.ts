/**
 * A file-name glob (`*` any characters, `?` one) as an anchored regular expression.
 *
 * @example
 * globRegExp("offres-*.ndjson").test("offres-2024-08-01.ndjson") // true
 */
export function globRegExp(pattern: string): RegExp {
  const body = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}
