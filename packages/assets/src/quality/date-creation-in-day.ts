import { count, type QualityResult, type Queryable } from "./result";

/**
 * The shape of an ISO 8601 instant: date, time, an optional fraction, `Z` or an offset (with or
 * without its colon), as a regular expression. The check matches `INSTANT_SHAPE_SQL`, which
 * accepts exactly the same strings (a test holds them to it) for about a third of the cost.
 */
export const INSTANT_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** A fraction (its point at 20, a digit at least) then an offset with `sign`, with or without its colon. */
function fractionThenOffset(sign: "+" | "-", colon: boolean): string {
  return colon
    ? `substr(dc, 20, 1) = '.' AND substr(dc, length(dc) - 5, 1) = '${sign}' AND substr(dc, length(dc) - 2, 1) = ':' AND length(dc) >= 27`
    : `substr(dc, 20, 1) = '.' AND substr(dc, length(dc) - 4, 1) = '${sign}' AND length(dc) >= 26`;
}

/**
 * Whether `dc` (text in the "C" collation) is of INSTANT_SHAPE, without a regular expression,
 * whose matching was over half of the check's cost (85 of 150 ms for 50,000 offers; this takes
 * 33). LIKE puts the date's and time's separators at their places; `translate` removes the
 * ASCII digits, leaving the separators in their order, so every other character is a digit;
 * each shape's branch then places its fraction's point, its sign, its colon and its length.
 */
export const INSTANT_SHAPE_SQL = `dc LIKE '____-__-__T__:__:__%' AND CASE translate(dc, '0123456789', '')
    WHEN '--T::Z' THEN right(dc, 1) = 'Z' AND length(dc) = 20
    WHEN '--T::.Z' THEN substr(dc, 20, 1) = '.' AND right(dc, 1) = 'Z' AND length(dc) >= 22
    WHEN '--T::+:' THEN substr(dc, 20, 1) = '+' AND substr(dc, 23, 1) = ':' AND length(dc) = 25
    WHEN '--T::-:' THEN substr(dc, 20, 1) = '-' AND substr(dc, 23, 1) = ':' AND length(dc) = 25
    WHEN '--T::+' THEN substr(dc, 20, 1) = '+' AND length(dc) = 24
    WHEN '--T::-' THEN substr(dc, 20, 1) = '-' AND length(dc) = 24
    WHEN '--T::.+:' THEN ${fractionThenOffset("+", true)}
    WHEN '--T::.-:' THEN ${fractionThenOffset("-", true)}
    WHEN '--T::.+' THEN ${fractionThenOffset("+", false)}
    WHEN '--T::.-' THEN ${fractionThenOffset("-", false)}
    ELSE false END`;

/**
 * Whether `dc` (a `date_creation` in the "C" collation) of INSTANT_SHAPE is an instant
 * PostgreSQL casts: year 0001 on, month 01–12, a day its month has (February by the year's
 * leap rule), hour 00–23, minutes and seconds 00–59, an offset up to ±15:59. Fixed positions
 * compared as text. Evaluated only where the shape matched: the query nests it in a CASE of
 * its own, as an AND is not bound to stop at a false operand.
 */
const CASTABLE = `substr(dc, 1, 4) <> '0000'
  AND substr(dc, 6, 2) BETWEEN '01' AND '12'
  AND substr(dc, 9, 2) BETWEEN '01' AND CASE substr(dc, 6, 2)
    WHEN '02' THEN CASE WHEN substr(dc, 1, 4)::int % 4 = 0
                         AND (substr(dc, 1, 4)::int % 100 <> 0
                              OR substr(dc, 1, 4)::int % 400 = 0)
                        THEN '29' ELSE '28' END
    WHEN '04' THEN '30' WHEN '06' THEN '30' WHEN '09' THEN '30' WHEN '11' THEN '30'
    ELSE '31' END
  AND substr(dc, 12, 2) <= '23'
  AND substr(dc, 15, 2) <= '59'
  AND substr(dc, 18, 2) <= '59'
  AND (right(dc, 1) = 'Z'
       OR substr(right(replace(dc, ':', ''), 4), 1, 2) <= '15'
          AND right(dc, 2) <= '59')`;

/**
 * The day's offers with their creation instant (`created`), NULL where `date_creation` is
 * missing or not an instant. `guarded`: cast only what CASTABLE accepts, so that no value fails
 * the query; otherwise every value of INSTANT_SHAPE is cast, and one that is no instant (month
 * 13) fails it, a third faster on a day without such values.
 */
function daySql(guarded: boolean): string {
  const cast = guarded ? `CASE WHEN ${CASTABLE} THEN dc::timestamptz END` : "dc::timestamptz";
  return `SELECT id, CASE WHEN ${INSTANT_SHAPE_SQL} THEN ${cast} END AS created
    FROM (SELECT id, date_creation COLLATE "C" AS dc FROM raw.offres WHERE jour = $1) AS o`;
}

/**
 * `raw/offres` `date_creation_in_day`: every offer filed under the day was created inside it,
 * `window.start <= dateCreation < window.end` (the Paris day: 23 to 25 hours). A missing or
 * unreadable `dateCreation` counts as outside: one that is not of an instant's shape, or of its
 * shape but no instant (month 13, June 31, an offset of 16 hours). Reads the `date_creation`
 * column the loader extracted from the JSON (`data->>'dateCreation'`), not the JSON itself.
 * Its shape is matched in the "C" collation (ASCII characters at fixed places need no locale).
 *
 * The day is read casting every well-shaped value, and read again with the guarded cast only
 * when that fails (`daySql`). `db` is a pool, or a client outside a transaction.
 */
export async function dateCreationInDay(
  db: Queryable,
  day: string,
  window: { readonly start: Date; readonly end: Date },
): Promise<QualityResult> {
  const query = (guarded: boolean) =>
    db.query<{
      offers: string;
      outside: string;
      sample: string[];
      unreadable: string;
      earliest: Date | null;
      latest: Date | null;
    }>(
      `WITH day AS (${daySql(guarded)})
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
  const { rows } = await query(false).catch((error: unknown) => {
    // Class 22, data exception: a value of an instant's shape that is no instant.
    if (/^22/.test(String((error as { code?: unknown }).code))) return query(true);
    throw error;
  });
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
