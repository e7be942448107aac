import type pg from "pg";
import { parisDayWindow } from "../france-travail/paris-time";

const UNDEFINED_TABLE = "42P01";

/** How far back an earlier day is looked for. */
const LOOKBACK_DAYS = 14;

/**
 * The shape of a day's publications, to cut the collection of `day` where its offers are
 * evenly shared (see `splitByProfile`): the seconds after the start of the latest day before
 * `day` (at most two weeks back) at which that day's offers in raw.offres were created,
 * sorted. Empty when raw.offres does not exist yet or holds no such day. Offers whose
 * `date_creation` is not an ISO instant are left out.
 */
export async function creationProfile(db: pg.Pool, day: string): Promise<number[]> {
  const result = await db
    .query<{ seconds: number[] | null }>(
      `WITH previous AS (
       SELECT max(jour) AS jour FROM raw.offres
       WHERE jour < $1::date AND jour >= $1::date - ${LOOKBACK_DAYS}
     )
     SELECT array_agg(
              floor(extract(epoch FROM o.date_creation::timestamptz)
                    - extract(epoch FROM p.jour::timestamp AT TIME ZONE 'Europe/Paris'))::integer
              ORDER BY o.date_creation::timestamptz) AS seconds
     FROM previous p
     JOIN raw.offres o ON o.jour = p.jour
     WHERE o.date_creation COLLATE "C" ~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:?\\d{2})$'`,
      [day],
    )
    .catch((error: unknown) => {
      // Before the first load, there is no raw.offres yet: nothing to learn from.
      if ((error as { code?: string }).code === UNDEFINED_TABLE) return undefined;
      throw error;
    });
  const seconds = result?.rows[0]?.seconds ?? [];
  // Keep the day's own window (an offer filed under the wrong day would fall outside it).
  const { start, end } = parisDayWindow(day);
  const length = (end.getTime() - start.getTime()) / 1000;
  return seconds.filter((s) => s >= 0 && s < length);
}
