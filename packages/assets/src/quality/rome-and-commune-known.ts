import { count, percent, type QualityResult, type Queryable, requireTables } from "./result";

export interface KnownCodesOptions {
  /** The share of the day's offers that must have a known ROME code and commune. Default 0.99. */
  readonly minShare?: number;
}

/**
 * `emploi/fait_offre_emploi` `rome_and_commune_known`: the share of the day's offers whose
 * ROME code is in `dim_rome` and whose commune, when the offer gives one, is in `dim_lieu`.
 * An offer located only by département or as "France" (about one in twenty: the API has no
 * commune for it) is not counted against the share; a missing ROME code is.
 */
export async function romeAndCommuneKnown(
  db: Queryable,
  day: string,
  options: KnownCodesOptions = {},
): Promise<QualityResult> {
  const minShare = options.minShare ?? 0.99;
  await requireTables(db, {
    "emploi.fait_offre_emploi": "emploi/fait_offre_emploi",
    "emploi.dim_rome": "emploi/dim_rome",
    "emploi.dim_lieu": "emploi/dim_lieu",
  });
  const { rows } = await db.query<{
    offers: string;
    known: string;
    unknown_rome: string;
    unknown_commune: string;
    without_commune: string;
  }>(
    `SELECT
       count(*) AS offers,
       count(*) FILTER (WHERE r.code_rome IS NOT NULL
                          AND (f.code_commune IS NULL OR l.code_commune IS NOT NULL)) AS known,
       count(*) FILTER (WHERE r.code_rome IS NULL) AS unknown_rome,
       count(*) FILTER (WHERE f.code_commune IS NOT NULL AND l.code_commune IS NULL) AS unknown_commune,
       count(*) FILTER (WHERE f.code_commune IS NULL) AS without_commune
     FROM emploi.fait_offre_emploi f
     LEFT JOIN emploi.dim_rome r ON r.code_rome = f.rome_code
     LEFT JOIN emploi.dim_lieu l ON l.code_commune = f.code_commune
     WHERE f.jour = $1`,
    [day],
  );
  const r = rows[0]!;
  const offers = Number(r.offers);
  const known = Number(r.known);
  const unknownRome = Number(r.unknown_rome);
  const unknownCommune = Number(r.unknown_commune);
  const share = offers === 0 ? 1 : known / offers;
  const passed = share >= minShare;
  const details = `${count(unknownRome)} unknown or missing ROME codes, ${count(unknownCommune)} unknown communes; ${count(Number(r.without_commune))} located without a commune`;
  return {
    passed,
    description:
      offers === 0
        ? "no offers on the day"
        : `${percent(share)} of ${count(offers)} offers have a known ROME code and commune (${passed ? "≥" : "<"} ${percent(minShare)}): ${details}`,
    metadata: {
      offers,
      known,
      share: Math.round(share * 10_000) / 10_000,
      min_share: minShare,
      unknown_rome: unknownRome,
      unknown_commune: unknownCommune,
      without_commune: Number(r.without_commune),
    },
  };
}
