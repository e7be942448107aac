import { count, type QualityResult, type Queryable, requireTables } from "./result";

/**
 * `emploi/fait_offre_emploi` `count_matches_raw`: the day's fact rows are exactly the day's
 * offers of `raw.offres`. The model promises it (delete+insert on `id`, and its pre-hook
 * removes withdrawn offers), so on good data the counts are equal. What breaks it: an id also
 * filed under another day (the model keeps one row per id, on the latest day of its build),
 * or a day of raw.offres loaded again and the model not rebuilt since.
 */
export async function countMatchesRaw(db: Queryable, day: string): Promise<QualityResult> {
  await requireTables(db, {
    "raw.offres": "raw/offres",
    "emploi.fait_offre_emploi": "emploi/fait_offre_emploi",
  });
  // One join of the day's ids on both sides; where the offers went that are missing is asked
  // only when some are (an id filed under another day in the fact table is missing here).
  const { rows } = await db.query<{
    raw_offers: string;
    fact_rows: string;
    missing: string;
    extra: string;
  }>(
    `WITH r AS (SELECT id FROM raw.offres WHERE jour = $1),
          f AS (SELECT id FROM emploi.fait_offre_emploi WHERE jour = $1)
     SELECT count(r.id) AS raw_offers, count(f.id) AS fact_rows,
            count(*) FILTER (WHERE f.id IS NULL) AS missing,
            count(*) FILTER (WHERE r.id IS NULL) AS extra
     FROM r FULL JOIN f ON f.id = r.id`,
    [day],
  );
  const r = rows[0]!;
  const raw = Number(r.raw_offers);
  const fact = Number(r.fact_rows);
  const missing = Number(r.missing);
  const extra = Number(r.extra);
  // An offer filed under another day is one of the missing ones (its id is a key of the fact
  // table, on that other day): with none missing there is none, and the count, which reads
  // the whole fact table, is not needed.
  const elsewhere = missing === 0 ? 0 : await filedElsewhere(db, day);
  const passed = missing === 0 && extra === 0;
  return {
    passed,
    description: passed
      ? `${count(fact)} rows, as many as the day's offers in raw.offres`
      : `${count(fact)} rows for ${count(raw)} offers in raw.offres: ${count(missing)} missing` +
        `${elsewhere > 0 ? ` (${count(elsewhere)} of them filed under another day)` : ""}, ${count(extra)} not in raw.offres`,
    metadata: {
      raw_offers: raw,
      fact_rows: fact,
      missing,
      extra,
      filed_under_another_day: elsewhere,
    },
  };
}

/** The day's offers of raw.offres whose id the fact table holds under another day. */
async function filedElsewhere(db: Queryable, day: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM raw.offres r WHERE r.jour = $1 AND EXISTS
       (SELECT 1 FROM emploi.fait_offre_emploi f WHERE f.id = r.id AND f.jour <> r.jour)`,
    [day],
  );
  return Number(rows[0]!.n);
}
