import type pg from "pg";
import { parisDayWindow } from "../france-travail/paris-time";

const UNDEFINED_TABLE = "42P01";

/** How far back an earlier day is looked for. */
const LOOKBACK_DAYS = 14;

/**
 * The shape of a day's publications, to cut the collection of `day` where its offers are
 * evenly shared (see `splitByProfile`): the seconds after the start of the latest day before
 * `day` (at most two weeks back) at which that day's offers in raw.offres were created,
 * sorted. Empty when raw.offres does not exist yet or holds no such day. A `date_creation`
 * that is not a readable instant inside that day is left out.
 */
export async function creationProfile(db: pg.Pool, day: string): Promise<number[]> {
  const result = await db
    .query<{ jour: string | null; created: string[] | null }>(
      `WITH previous AS (
         SELECT max(jour) AS jour FROM raw.offres
         WHERE jour < $1::date AND jour >= $1::date - ${LOOKBACK_DAYS}
       )
       SELECT p.jour::text AS jour, array_agg(o.date_creation) AS created
       FROM previous p
       JOIN raw.offres o ON o.jour = p.jour
       GROUP BY p.jour`,
      [day],
    )
    .catch((error: unknown) => {
      // Before the first load, there is no raw.offres yet: nothing to learn from.
      if ((error as { code?: string }).code === UNDEFINED_TABLE) return undefined;
      throw error;
    });
  const row = result?.rows[0];
  if (!row?.jour || !row.created) return [];
  const { start, end } = parisDayWindow(row.jour);
  const length = (end.getTime() - start.getTime()) / 1000;
  const seconds: number[] = [];
  for (const text of row.created) {
    const s = Math.floor((Date.parse(text) - start.getTime()) / 1000);
    if (s >= 0 && s < length) seconds.push(s);
  }
  return seconds.sort((a, b) => a - b);
}
