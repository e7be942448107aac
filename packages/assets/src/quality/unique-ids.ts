import { count, type QualityResult, type Queryable } from "./result";

/**
 * `raw/offres` `unique_ids`: no offer id of the day is repeated, within the day or on another
 * day. An offer's creation date never changes, so an id belongs to one day; one found on two
 * days is an offer the source served again (the fact table keeps one of them, so the other
 * day loses it). Looks the day's ids up in the index on `raw.offres (id)` as one array
 * (`id = ANY`, one index scan that moves along the index from one id to the next instead of a
 * lateral probe per id), never a scan of the other days: the check costs what the day holds,
 * however long the history.
 */
export async function uniqueIds(db: Queryable, day: string): Promise<QualityResult> {
  const { rows } = await db.query<{
    offers: string;
    repeated: string;
    elsewhere: string;
    sample: string[];
  }>(
    `WITH day AS (SELECT id FROM raw.offres WHERE jour = $1),
     -- The day's ids as one array, computed first (an InitPlan): the planner takes it for a
     -- handful of keys and looks them up in the id index, where a join of the day with the
     -- table could become a scan of every other day.
     elsewhere AS (
       SELECT d.id FROM day d
       WHERE d.id IN (
         SELECT o.id FROM raw.offres o
         WHERE o.id = ANY (ARRAY(SELECT id FROM day)) AND o.jour <> $1
       )
     )
     SELECT
       (SELECT count(*) FROM day) AS offers,
       (SELECT count(*) - count(DISTINCT id) FROM day) AS repeated,
       (SELECT count(*) FROM elsewhere) AS elsewhere,
       ARRAY(SELECT id FROM elsewhere ORDER BY id LIMIT 5) AS sample`,
    [day],
  );
  const r = rows[0]!;
  const offers = Number(r.offers);
  const repeated = Number(r.repeated);
  const elsewhere = Number(r.elsewhere);
  const passed = repeated === 0 && elsewhere === 0;
  const examples = r.sample.length > 0 ? ` (e.g. ${r.sample.slice(0, 3).join(", ")})` : "";
  return {
    passed,
    description: passed
      ? `${count(offers)} offers, every id unique`
      : `${count(repeated + elsewhere)} duplicate ids among ${count(offers)} offers: ` +
        `${count(repeated)} repeated within the day, ${count(elsewhere)} also on another day${examples}`,
    metadata: {
      offers,
      duplicates: repeated + elsewhere,
      repeated_in_day: repeated,
      on_other_days: elsewhere,
      sample_ids: r.sample.join(", "),
    },
  };
}
