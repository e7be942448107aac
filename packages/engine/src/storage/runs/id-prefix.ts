import { quote, RunIdPrefixError } from "../../errors";

/** Fewer hexadecimal digits than this would match too many runs to mean one. */
export const MIN_RUN_ID_PREFIX = 4;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Is this a whole run id (a UUID), not a prefix? */
export function isFullRunId(text: string): boolean {
  return UUID.test(text);
}

/**
 * The hexadecimal digits of a run id prefix as typed (`8898dbe9`, `8898DBE9-12`): lower case,
 * dashes dropped. Throws RunIdPrefixError when it is not hexadecimal, too short or too long.
 *
 * @example
 * parseRunIdPrefix("8898DBE9-1") // "8898dbe91"
 */
export function parseRunIdPrefix(text: string): string {
  const hex = text.replaceAll("-", "").toLowerCase();
  if (!/^[0-9a-f]*$/.test(hex) || hex.length > 32) {
    throw new RunIdPrefixError(text, [], `${quote(text)} is not a run id or the start of one`);
  }
  if (hex.length < MIN_RUN_ID_PREFIX) {
    throw new RunIdPrefixError(
      text,
      [],
      `run id prefix ${quote(text)} is too short: give at least ${MIN_RUN_ID_PREFIX} hexadecimal characters`,
    );
  }
  return hex;
}

/**
 * The start of the stored ids (lower-case UUIDs with dashes) that these digits begin: dashes
 * put back where a UUID has them.
 *
 * @example
 * dashedRunIdPrefix("8898dbe912") // "8898dbe9-12"
 */
export function dashedRunIdPrefix(hex: string): string {
  const cuts = [8, 12, 16, 20];
  const parts: string[] = [];
  let from = 0;
  for (const cut of [...cuts, 32]) {
    if (hex.length <= from) break;
    parts.push(hex.slice(from, cut));
    from = cut;
  }
  // A prefix that ends where a dash goes matches the same ids with or without it.
  return parts.join("-");
}
