import { parseApiDate } from "../paris-time";
import { MAX_PAGE_SIZE, MAX_RANGE_START, type SearchRange } from "../search-response";
import type { SearchFilters } from "./day-store";

/** A 400 answer of the API: its JSON body. */
export interface ApiError {
  readonly message: string;
  readonly codeHttp: 400;
  readonly codeErreur: string;
}

/** The API's own messages for the range parameter. */
export const RANGE_MESSAGES = {
  format: "Format du paramètre « range » incorrect. <entier>-<entier> attendu.",
  tooLarge: "La plage de résultats demandée est trop importante.",
  start: `La position de début doit être inférieure ou égale à ${MAX_RANGE_START}.`,
  order: "La position de début doit être inférieure ou égale à la position de fin.",
} as const;

/** Without dates, a search covers the last day (real searches cover every active offer). */
const DEFAULT_WINDOW_MS = 24 * 3_600_000;

/**
 * Reads the query string of `/offres/search` as the real API does: `range`, the creation
 * window (both bounds `yyyy-MM-ddTHH:mm:ssZ`), `codeROME` and `departement` (comma-separated
 * lists accepted). Other parameters are ignored.
 */
export function parseSearchParams(
  params: URLSearchParams,
  now: number = Date.now(),
): { filters: SearchFilters; range: SearchRange } | { error: ApiError } {
  const range = parseRange(params.get("range"));
  if ("error" in range) return range;
  const minText = params.get("minCreationDate");
  const maxText = params.get("maxCreationDate");
  let minMs: number;
  let maxMs: number;
  if (minText === null && maxText === null) {
    maxMs = Math.floor(now / 1000) * 1000;
    minMs = maxMs - DEFAULT_WINDOW_MS;
  } else {
    if (minText === null || maxText === null) {
      return fail(
        "Les paramètres minCreationDate et maxCreationDate doivent être renseignés ensemble.",
        "DATES_INCOMPLETES",
      );
    }
    const min = parseApiDate(minText);
    const max = parseApiDate(maxText);
    if (min === undefined || max === undefined) {
      const name = min === undefined ? "minCreationDate" : "maxCreationDate";
      return fail(
        `Format du paramètre « ${name} » incorrect. yyyy-MM-ddTHH:mm:ssZ attendu.`,
        "FORMAT_DATE",
      );
    }
    if (min >= max) {
      return fail(
        "La date de création minimale doit être antérieure à la date de création maximale.",
        "DATES_INCOHERENTES",
      );
    }
    minMs = min;
    maxMs = max;
  }
  const romeCodes = list(params.get("codeROME"));
  const badRome = romeCodes?.find((c) => !/^[A-N]\d{4}$/.test(c));
  if (badRome !== undefined) return fail(`Code ROME incorrect : « ${badRome} ».`, "CODE_ROME");
  const departements = list(params.get("departement"));
  const badDepartement = departements?.find((d) => !/^(\d{2}|2[AB]|9[78]\d)$/.test(d));
  if (badDepartement !== undefined) {
    return fail(`Code département incorrect : « ${badDepartement} ».`, "DEPARTEMENT");
  }
  return { filters: { minMs, maxMs, romeCodes, departements }, range: range.range };
}

function parseRange(text: string | null): { range: SearchRange } | { error: ApiError } {
  if (text === null) return { range: { first: 0, last: MAX_PAGE_SIZE - 1 } };
  const match = /^(\d+)-(\d+)$/.exec(text);
  if (!match) return fail(RANGE_MESSAGES.format, "RANGE_FORMAT");
  const first = Number(match[1]);
  const last = Number(match[2]);
  if (first > last) return fail(RANGE_MESSAGES.order, "RANGE_ORDRE");
  if (last - first + 1 > MAX_PAGE_SIZE) return fail(RANGE_MESSAGES.tooLarge, "RANGE_TAILLE");
  if (first > MAX_RANGE_START) return fail(RANGE_MESSAGES.start, "RANGE_DEBUT");
  return { range: { first, last } };
}

function list(text: string | null): string[] | undefined {
  if (text === null || text.trim() === "") return undefined;
  return text.split(",").map((s) => s.trim());
}

function fail(message: string, codeErreur: string): { error: ApiError } {
  return { error: { message, codeHttp: 400, codeErreur } };
}
