import path from "node:path";
import { copyValue } from "../warehouse/copy-text";
import { OffresLoadError } from "./errors";

/** The columns of `raw.offres` a load writes, in the order of `offerCopyRow`'s fields. */
export const OFFRES_COPY_COLUMNS: readonly string[] = ["jour", "id", "data"];

/** The id is the first `"id":"…"` of the line; the API writes it first in every offer. */
const ID = /^\s*\{\s*"id"\s*:\s*"((?:[^"\\]|\\.)*)"/;

/**
 * One offer (one NDJSON line, not blank) as a COPY text row of `raw.offres` for `day`, ending
 * with a newline. A line that is not a JSON object with an `id` is a MALFORMED_LINE error naming
 * `source` (a file: by its base name) and `number`; the JSON itself is checked by PostgreSQL.
 */
export function offerCopyRow(day: string, text: string, source: string, number: number): string {
  const m = ID.exec(text);
  if (!m || !text.trimEnd().endsWith("}")) {
    throw new OffresLoadError(
      "MALFORMED_LINE",
      `${path.basename(source)} line ${number}: not a JSON offer with an "id" (starts with ${JSON.stringify(text.slice(0, 40))})`,
      source,
      number,
    );
  }
  return `${day}\t${copyValue(JSON.parse(`"${m[1]}"`) as string)}\t${copyValue(text)}\n`;
}
