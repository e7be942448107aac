import { count, type QualityResult, type Queryable } from "./result";

export interface VolumeOptions {
  /** How many previous same weekdays to look at. Default 4. */
  readonly weeks?: number;
  /** Half-width of the band around the median, as a share of it. Default 0.5 (±50 %). */
  readonly tolerance?: number;
  /** Below this many previous same weekdays with offers, the check passes: not enough history. Default 2. */
  readonly minWeeks?: number;
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/**
 * `raw/offres` `volume_vs_weekday_median`: the day's offer count lies within a band around the
 * median of the same weekday over the previous `weeks` weeks that have offers (a Thursday is
 * compared with Thursdays: weekends bring a fraction of a weekday's offers).
 */
export async function volumeVsWeekdayMedian(
  db: Queryable,
  day: string,
  options: VolumeOptions = {},
): Promise<QualityResult> {
  const weeks = options.weeks ?? 4;
  const earlier = Array.from({ length: weeks }, (_, i) => addDays(day, -7 * (i + 1)));
  // One count per day, each read from the primary key's index (jour, id): with the days in one
  // `jour = ANY(…)`, the planner saw five days of the table's eighteen in a first build and
  // read all of it, in three processes, at each day's check.
  const { rows } = await db.query<{ jour: string; n: string }>(
    `SELECT u.d::text AS jour, (SELECT count(*) FROM raw.offres o WHERE o.jour = u.d) AS n
     FROM unnest($1::date[]) AS u(d)`,
    [[day, ...earlier]],
  );
  // A day without offers is no week of history (as a day absent from a GROUP BY was).
  const counts = new Map(rows.filter((r) => Number(r.n) > 0).map((r) => [r.jour, Number(r.n)]));
  const history = earlier.map((d) => counts.get(d)).filter((n): n is number => n !== undefined);
  return judgeVolume(counts.get(day) ?? 0, history, { ...options, weekday: weekdayName(day) });
}

/**
 * The verdict on a day's count given the counts of its previous same weekdays (pure).
 *
 * @example
 * judgeVolume(400, [1000, 980, 1100], { weekday: "Thursday" }).passed // false: below 495–1,485
 */
export function judgeVolume(
  offers: number,
  history: readonly number[],
  options: VolumeOptions & { readonly weekday: string },
): QualityResult {
  const weeks = options.weeks ?? 4;
  const tolerance = options.tolerance ?? 0.5;
  const minWeeks = options.minWeeks ?? 2;
  const plural = `${options.weekday}s`;
  const base = { offers, weeks_with_offers: history.length, weeks_looked_at: weeks, tolerance };
  if (history.length < minWeeks) {
    return {
      passed: true,
      description: `not enough history: ${history.length} of the ${weeks} previous ${plural} have offers (${minWeeks} needed); ${count(offers)} offers`,
      metadata: { ...base, median: null, band_low: null, band_high: null },
    };
  }
  const m = median(history);
  const low = Math.ceil(m * (1 - tolerance));
  const high = Math.floor(m * (1 + tolerance));
  const band = `${count(low)}–${count(high)} (±${Math.round(tolerance * 100)} % of the median ${count(m)} of the ${history.length} previous ${plural})`;
  const where = offers < low ? "below" : offers > high ? "above" : "within";
  return {
    passed: where === "within",
    description: `${count(offers)} offers, ${where} the band ${band}`,
    metadata: { ...base, median: m, band_low: low, band_high: high },
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function weekdayName(day: string): string {
  return WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()]!;
}
