import { instantMillis } from "./creation-instant";
import { count, type QualityResult, type Queryable } from "./result";

/** A fraction (its point at 20, a digit at least) then an offset with `sign`, with or without its colon. */
function fractionThenOffset(sign: "+" | "-", colon: boolean): string {
  return colon
    ? `substr(dc, 20, 1) = '.' AND substr(dc, length(dc) - 5, 1) = '${sign}' AND substr(dc, length(dc) - 2, 1) = ':' AND length(dc) >= 27`
    : `substr(dc, 20, 1) = '.' AND substr(dc, length(dc) - 4, 1) = '${sign}' AND length(dc) >= 26`;
}

/**
 * Whether `dc` (text in the "C" collation) is of INSTANT_SHAPE (which it accepts exactly, a test
 * holds them to it), without a regular expression,
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

/** The second of the day of `dc`'s time, its fraction left out (24:00:00 is 86,400). */
const SECOND_OF_DAY =
  "(substr(dc, 12, 2)::int * 3600 + substr(dc, 15, 2)::int * 60 + substr(dc, 18, 2)::int)";

/**
 * Whether `dc` (a `date_creation` in the "C" collation) of INSTANT_SHAPE is an instant
 * PostgreSQL casts: year 0001 on, month 01–12, a day its month has (February by the year's
 * leap rule), minutes 00–59, seconds 00–60, a time of day up to 24:00:00 (its fraction rounded
 * to microseconds as the cast does, `round` of a double being to even), an offset up to
 * ±15:59: what `instantMillis` takes. Fixed positions compared as text. Evaluated only where
 * the shape matched: the query nests it in a CASE of its own, as an AND is not bound to stop at
 * a false operand.
 */
export const CASTABLE_SQL = `substr(dc, 1, 4) <> '0000'
  AND substr(dc, 6, 2) BETWEEN '01' AND '12'
  AND substr(dc, 9, 2) BETWEEN '01' AND CASE substr(dc, 6, 2)
    WHEN '02' THEN CASE WHEN substr(dc, 1, 4)::int % 4 = 0
                         AND (substr(dc, 1, 4)::int % 100 <> 0
                              OR substr(dc, 1, 4)::int % 400 = 0)
                        THEN '29' ELSE '28' END
    WHEN '04' THEN '30' WHEN '06' THEN '30' WHEN '09' THEN '30' WHEN '11' THEN '30'
    ELSE '31' END
  AND substr(dc, 15, 2) <= '59'
  AND substr(dc, 18, 2) <= '60'
  AND CASE sign(${SECOND_OF_DAY} - 86400)
    WHEN -1 THEN true
    WHEN 1 THEN false
    ELSE substr(dc, 20, 1) <> '.'
         OR round(('0' || substring(dc from '^.{19}([.][0-9]+)'))::float8 * 1000000) = 0
  END
  AND (right(dc, 1) = 'Z'
       OR substr(right(replace(dc, ':', ''), 4), 1, 2) <= '15'
          AND right(dc, 2) <= '59')`;

/**
 * The day's offers with their creation instant (`created`), NULL where `date_creation` is
 * missing or not an instant. `guarded`: cast only what CASTABLE_SQL accepts, so that no value fails
 * the query; otherwise every value of INSTANT_SHAPE is cast, and one that is no instant (month
 * 13) fails it, a third faster on a day without such values.
 */
function daySql(guarded: boolean): string {
  const cast = guarded ? `CASE WHEN ${CASTABLE_SQL} THEN dc::timestamptz END` : "dc::timestamptz";
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
  return creationResult(day, window, {
    offers: Number(r.offers),
    outside: Number(r.outside),
    unreadable: Number(r.unreadable),
    earliest: r.earliest?.toISOString() ?? null,
    latest: r.latest?.toISOString() ?? null,
    sample: r.sample,
  });
}

/** What `date_creation_in_day` found on a day, however it was read. */
interface CreationCounts {
  readonly offers: number;
  readonly outside: number;
  readonly unreadable: number;
  /** The earliest and latest instants read (ISO, to the millisecond), null without any. */
  readonly earliest: string | null;
  readonly latest: string | null;
  /** Up to five ids of offers outside the day, the smallest first. */
  readonly sample: readonly string[];
}

function creationResult(
  day: string,
  window: { readonly start: Date; readonly end: Date },
  c: CreationCounts,
): QualityResult {
  const passed = c.outside === 0;
  return {
    passed,
    description: passed
      ? `${count(c.offers)} offers, every dateCreation inside ${day} (Europe/Paris)`
      : `${count(c.outside)} of ${count(c.offers)} offers created outside ${day} (Europe/Paris)` +
        `${c.unreadable > 0 ? `, ${count(c.unreadable)} without a readable dateCreation` : ""}: ` +
        `earliest ${c.earliest ?? "none"}, latest ${c.latest ?? "none"}`,
    metadata: {
      offers: c.offers,
      outside: c.outside,
      unreadable: c.unreadable,
      earliest: c.earliest,
      latest: c.latest,
      window_start: window.start.toISOString(),
      window_end: window.end.toISOString(),
      sample_ids: c.sample.join(", "),
    },
  };
}

/** How many ids of offers outside the day a result names. */
const SAMPLE_SIZE = 5;

/**
 * `date_creation_in_day` evaluated while a day is loaded, offer by offer, on the values the
 * loader writes to `date_creation`: what `dateCreationInDay` finds reading them back, with
 * PostgreSQL's cast (`instantMillis`). The load reports it with the day's materialisation, so
 * that the check does not read the day again (`raw/offres`, see docs/checks.md). The only
 * difference: its sample is the five smallest ids in code-unit order (the query's, in the
 * database's collation; the same for France Travail's ids, digits and capitals).
 */
export class CreationTally {
  private readonly startMs: number;
  private readonly endMs: number;
  private offers = 0;
  private outside = 0;
  private unreadable = 0;
  private earliest = Number.POSITIVE_INFINITY;
  private latest = Number.NEGATIVE_INFINITY;
  private readonly sample: string[] = [];

  constructor(
    private readonly day: string,
    private readonly window: { readonly start: Date; readonly end: Date },
  ) {
    this.startMs = window.start.getTime();
    this.endMs = window.end.getTime();
  }

  /**
   * One offer: its id and its `date_creation` (null when missing). `latin1`: both are UTF-8
   * bytes read as Latin-1 (the loader's fast path); the id is decoded if it is named.
   */
  add(id: string, dateCreation: string | null, latin1 = false): void {
    this.offers++;
    // Whole milliseconds suffice: the window's ends are whole milliseconds, and an instant
    // within a millisecond is inside or outside as that millisecond is.
    const created = instantMillis(dateCreation);
    if (created === null) this.unreadable++;
    else {
      if (created < this.earliest) this.earliest = created;
      if (created > this.latest) this.latest = created;
      if (created >= this.startMs && created < this.endMs) return;
    }
    this.outside++;
    this.keepSample(latin1 ? Buffer.from(id, "latin1").toString("utf8") : id);
  }

  result(): QualityResult {
    const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);
    return creationResult(this.day, this.window, {
      offers: this.offers,
      outside: this.outside,
      unreadable: this.unreadable,
      earliest: iso(this.earliest),
      latest: iso(this.latest),
      sample: this.sample,
    });
  }

  private keepSample(id: string): void {
    const s = this.sample;
    if (s.length === SAMPLE_SIZE && id >= s[SAMPLE_SIZE - 1]!) return;
    let at = s.length;
    while (at > 0 && s[at - 1]! > id) at--;
    s.splice(at, 0, id);
    if (s.length > SAMPLE_SIZE) s.pop();
  }
}
