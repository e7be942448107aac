import { describe, expect, it } from "vitest";
import definitions from "../definitions";
import { FAIT_OFFRE_ASSET, OFFRES_ASSET } from "./checks";

/** The job-offer definitions as the CLI loads them: the suite registered, dbt's tests declared. */
describe("the job-offer definitions", () => {
  it("register the quality suite on raw/offres and emploi/fait_offre_emploi", () => {
    const summary = (key: string) =>
      definitions.checksOf(key).map((c) => [c.name, c.severity] as const);
    expect(summary(OFFRES_ASSET)).toEqual([
      ["volume_vs_weekday_median", "warn"],
      ["unique_ids", "error"],
      ["date_creation_in_day", "error"],
    ]);
    expect(summary(FAIT_OFFRE_ASSET)).toEqual([
      ["count_matches_raw", "error"],
      ["rome_and_commune_known", "warn"],
    ]);
    for (const c of definitions.checks) expect(c.description, c.name).toBeTruthy();
  });

  it("declare fait_offre_emploi's dbt tests with their severity from schema.yml", () => {
    const specs = definitions.get(FAIT_OFFRE_ASSET).checkSpecs;
    const severity = new Map(specs.map((s) => [s.name, s.severity]));
    expect(severity.get("unique_fait_offre_emploi_id")).toBe("error");
    expect(severity.get("not_null_fait_offre_emploi_id")).toBe("error");
    expect(severity.get("fait_offre_emploi_jour_date_creation")).toBe("error");
    const relationships = specs.filter((s) => s.name.startsWith("relationships_"));
    expect(relationships.map((s) => s.severity)).toEqual(relationships.map(() => "warn"));
    expect(relationships.length).toBe(4);
    expect(
      specs.find(
        (s) => s.name === "relationships_fait_offre_emploi_rome_code__code_rome__ref_dim_rome_",
      )?.description,
    ).toBe("dbt test relationships on rome_code (to ref('dim_rome'), field code_rome)");
  });
});
