import { count, type QualityResult, type Queryable } from "./result";

/**
 * `raw/offres` `date_creation_in_day`: every offer filed under the day was created inside it,
 * `window.start <= dateCreation < window.end` (the Paris day: 23 to 25 hours). A missing or
 * unreadable `dateCreation` counts as outside. Reads the `date_creation` column the loader
 * extracted from the JSON (`data->>'dateCreation'`), not the JSON itself. Its shape is
 * matched in the "C" collation (a pattern of ASCII characters needs no locale): a third
 * cheaper than in the database's collation (190 → 125 ms for 50,000 offers).
 */
export async function dateCreationInDay(
  db: Queryable,
  day: string,
  window: { readonly start: Date; readonly end: Date },
): Promise<QualityResult> {
  const { rows } = await db.query<{
    offers: string;
    outside: string;
    sample: string[];
    unreadable: string;
    earliest: Date | null;
    latest: Date | null;
  }>(
    `WITH day AS (
       SELECT id,
         CASE WHEN date_creation COLLATE "C" ~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:?\\d{2})$'
              THEN date_creation::timestamptz END AS created
       FROM raw.offres WHERE jour = $1
     )
     SELECT
       count(*) AS offers,
       count(*) FILTER (WHERE created IS NULL OR created < $2 OR created >= $3) AS outside,
       ARRAY(
         SELECT id FROM day WHERE created IS NULL OR created < $2 OR created >= $3
         ORDER BY id LIMIT 5
       ) AS sample,
       count(*) FILTER (WHERE created IS NULL) AS unreadable,
       min(created) AS earliest,
       max(created) AS latest
     FROM day`,
    [day, window.start, window.end],
  );
  const r = rows[0]!;
  const offers = Number(r.offers);
  const unreadable = Number(r.unreadable);
  const outside = Number(r.outside);
  const passed = outside === 0;
  return {
    passed,
    description: passed
      ? `${count(offers)} offers, every dateCreation inside ${day} (Europe/Paris)`
      : `${count(outside)} of ${count(offers)} offers created outside ${day} (Europe/Paris)` +
        `${unreadable > 0 ? `, ${count(unreadable)} without a readable dateCreation` : ""}: ` +
        `earliest ${r.earliest?.toISOString() ?? "none"}, latest ${r.latest?.toISOString() ?? "none"}`,
    metadata: {
      offers,
      outside,
      unreadable,
      earliest: r.earliest?.toISOString() ?? null,
      latest: r.latest?.toISOString() ?? null,
      window_start: window.start.toISOString(),
      window_end: window.end.toISOString(),
      sample_ids: r.sample.join(", "),
    },
  };
}
