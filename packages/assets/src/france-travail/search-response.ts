import { FranceTravailError, snippet } from "./errors";
import type { FranceTravailOffer } from "./offer";

/** The API's page size limit: a range may cover at most 150 results. */
export const MAX_PAGE_SIZE = 150;
/** The API refuses ranges starting after 3000, so a query can reach 3,150 results at most. */
export const MAX_RANGE_START = 3000;
/** The most results one query can page through: positions 0 … 3149. */
export const MAX_REACHABLE_RESULTS = MAX_RANGE_START + MAX_PAGE_SIZE;

/** Positions `first` … `last` (inclusive) of a query's results, as in `range=first-last`. */
export interface SearchRange {
  readonly first: number;
  readonly last: number;
}

/** One answer of `/offres/search`. */
export interface SearchPage {
  readonly status: 200 | 204 | 206;
  readonly offers: readonly FranceTravailOffer[];
  /** How many results the whole query has (0 for a 204). */
  readonly total: number;
  /** Size of the body, in bytes. */
  readonly bytes: number;
}

const CONTENT_RANGE = /^\s*offres\s+(\d+)-(\d+)\/(\d+)\s*$/i;

/**
 * Reads a successful search answer and checks it is what was asked for: valid JSON with a
 * `resultats` array, and a Content-Range whose positions match the request and the number of
 * results in the body. Anything else throws a MALFORMED error (worth retrying: a truncated
 * body or a short page is usually a transient fault upstream).
 */
export function parseSearchResponse(
  status: number,
  contentRange: string | null,
  text: string,
  requested: SearchRange,
): SearchPage {
  const bytes = Buffer.byteLength(text);
  if (status === 204) return { status: 204, offers: [], total: 0, bytes };
  if (status !== 200 && status !== 206) {
    throw new FranceTravailError("MALFORMED", `Unexpected search status ${status}`, { status });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new FranceTravailError(
      "MALFORMED",
      `Search answer (${status}, ${bytes} bytes) is not valid JSON: ${snippet(text, 80)}`,
      { cause: error, status },
    );
  }
  const resultats = (body as { resultats?: unknown } | null)?.resultats;
  if (!Array.isArray(resultats) || !resultats.every(isOffer)) {
    throw new FranceTravailError("MALFORMED", `Search answer has no valid "resultats" array`, {
      status,
    });
  }
  const offers = resultats as FranceTravailOffer[];
  const total = checkRange(status, contentRange, offers.length, requested);
  return { status, offers, total, bytes };
}

function checkRange(
  status: 200 | 206,
  contentRange: string | null,
  count: number,
  requested: SearchRange,
): number {
  const malformed = (why: string): FranceTravailError =>
    new FranceTravailError(
      "MALFORMED",
      `Search answer for range ${requested.first}-${requested.last} is inconsistent: ${why}`,
      { status },
    );
  if (contentRange === null) {
    // A 200 holds every result; without Content-Range the body is the whole answer.
    if (status === 200 && requested.first === 0) return count;
    throw malformed("no Content-Range header");
  }
  const match = CONTENT_RANGE.exec(contentRange);
  if (!match) throw malformed(`unreadable Content-Range "${contentRange}"`);
  const first = Number(match[1]);
  const last = Number(match[2]);
  const total = Number(match[3]);
  if (first !== requested.first) throw malformed(`Content-Range starts at ${first}`);
  if (last < first || last >= total) throw malformed(`Content-Range "${contentRange}"`);
  if (last - first + 1 !== count) {
    throw malformed(`Content-Range "${contentRange}" announces ${last - first + 1}, got ${count}`);
  }
  if (last > requested.last) throw malformed(`Content-Range "${contentRange}" ends too late`);
  if (last < requested.last && last !== total - 1) {
    throw malformed(`short page: Content-Range "${contentRange}" before the last result`);
  }
  return total;
}

function isOffer(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { id?: unknown }).id === "string"
  );
}
