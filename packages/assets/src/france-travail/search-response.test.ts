import { describe, expect, it } from "vitest";
import { FranceTravailError } from "./errors";
import { parseSearchResponse } from "./search-response";

const body = (n: number, start = 0): string =>
  JSON.stringify({
    resultats: Array.from({ length: n }, (_, i) => ({ id: `ID${start + i}` })),
    filtresPossibles: [],
  });

function malformed(fn: () => unknown): FranceTravailError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FranceTravailError);
    expect((error as FranceTravailError).code).toBe("MALFORMED");
    return error as FranceTravailError;
  }
  throw new Error("expected a MALFORMED error");
}

describe("parseSearchResponse", () => {
  const range = { first: 150, last: 299 };

  it("reads a partial page and the total from Content-Range", () => {
    const page = parseSearchResponse(206, "offres 150-299/1000", body(150, 150), range);
    expect(page.total).toBe(1000);
    expect(page.offers).toHaveLength(150);
    expect(page.offers[0]!.id).toBe("ID150");
  });

  it("accepts a last page shorter than the range, a 200 without Content-Range, and a 204", () => {
    expect(parseSearchResponse(206, "offres 150-199/200", body(50), range).total).toBe(200);
    expect(parseSearchResponse(200, null, body(12), { first: 0, last: 149 }).total).toBe(12);
    expect(parseSearchResponse(204, null, "", range)).toMatchObject({ total: 0, offers: [] });
  });

  it("rejects truncated JSON and bodies without resultats", () => {
    const text = body(150);
    const error = malformed(() =>
      parseSearchResponse(206, "offres 150-299/1000", text.slice(0, text.length / 2), range),
    );
    expect(error.cause).toBeInstanceOf(SyntaxError);
    malformed(() => parseSearchResponse(206, "offres 150-299/1000", "{}", range));
    malformed(() =>
      parseSearchResponse(206, "offres 150-299/1000", '{"resultats":[{"x":1}]}', range),
    );
  });

  it("rejects a page inconsistent with its Content-Range", () => {
    // One offer missing while the header announces the full range.
    malformed(() => parseSearchResponse(206, "offres 150-299/1000", body(149), range));
    // A short page before the end of the results.
    malformed(() => parseSearchResponse(206, "offres 150-199/1000", body(50), range));
    // Another range than the one asked for.
    malformed(() => parseSearchResponse(206, "offres 0-149/1000", body(150), range));
    // Unreadable or missing header on a partial answer.
    malformed(() => parseSearchResponse(206, "items 150-299/1000", body(150), range));
    malformed(() => parseSearchResponse(206, null, body(150), range));
    malformed(() => parseSearchResponse(206, "offres 150-299/200", body(150), range));
  });
});
