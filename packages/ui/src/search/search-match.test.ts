import { describe, expect, it } from "vitest";
import { matchAssets, matchPages, runPrefixOf } from "./search-match";

const keys = [
  "raw/offres",
  "raw/naf",
  "emploi/fait_offre_emploi",
  "ref/offres_geo",
  "staging/stg_offres",
];

describe("search matching", () => {
  it("ranks a key's start, then a segment's start, then anywhere, then letters in order", () => {
    expect(matchAssets(keys, "raw/", 10)).toEqual(["raw/naf", "raw/offres"]);
    // Same rank (a segment starts with it): shorter keys first.
    expect(matchAssets(keys, "offres", 10)).toEqual([
      "raw/offres",
      "ref/offres_geo",
      "staging/stg_offres",
    ]);
    expect(matchAssets(keys, "ffres", 10)[0]).toBe("raw/offres");
    expect(matchAssets(keys, "rwoff", 10)).toEqual(["raw/offres"]);
    expect(matchAssets(keys, "OFFRE", 1)).toHaveLength(1);
    expect(matchAssets(keys, "", 10)).toEqual([]);
    expect(matchAssets(keys, "zzz", 10)).toEqual([]);
  });

  it("takes 4 or more hexadecimal characters as the start of a run id", () => {
    expect(runPrefixOf("8898dbe9")).toBe("8898dbe9");
    expect(runPrefixOf(" 8898DBE9-12 ")).toBe("8898dbe9-12");
    expect(runPrefixOf("889")).toBeUndefined();
    expect(runPrefixOf("raw/offres")).toBeUndefined();
  });

  it("finds pages by name; all of them for an empty query", () => {
    expect(matchPages("cat").map((p) => p.href)).toEqual(["/catalog"]);
    expect(matchPages("")).toHaveLength(5);
  });
});
