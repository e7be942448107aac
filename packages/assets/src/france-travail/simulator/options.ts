import { assertDay } from "../paris-time";

/**
 * A burst of extra offers on one day, to reproduce what breaks naive collectors: more than
 * 3,150 offers in one second (a partner's bulk import), for one ROME code, or for one
 * (ROME code, département) pair.
 */
export interface Hotspot {
  /** Paris calendar day, YYYY-MM-DD. */
  readonly day: string;
  /** How many offers to add. */
  readonly count: number;
  /** Paris wall-clock second `HH:mm:ss` all of them are created in; default: spread over the day. */
  readonly at?: string;
  /** ROME code all of them have; default: drawn as usual. */
  readonly romeCode?: string;
  /** Département all of them are located in; default: drawn as usual. */
  readonly departement?: string;
}

export interface FaultOptions {
  /** Share of search calls answered 500/503. */
  readonly serverErrorRatio?: number;
  /** Share of search calls answered 200/206 with a truncated JSON body. */
  readonly malformedRatio?: number;
  /** Share of search calls whose page lacks its last offer while Content-Range announces it. */
  readonly shortPageRatio?: number;
  /** Added to every API call: a number, or [min, max] drawn uniformly. */
  readonly latencyMs?: number | readonly [number, number];
  /** Share of API calls that stall `stallMs` (default 5,000) before answering, on top. */
  readonly stallRatio?: number;
  readonly stallMs?: number;
  /** Days whose data is wrong, as an incident upstream would make them (see `badDay`). */
  readonly badDays?: readonly BadDay[];
}

/**
 * A day the API serves bad data for, while every call still answers normally: the collector
 * gets a complete, consistent day, and only data-quality checks can tell it is wrong. The
 * faulty offers are drawn with their own seed, so the rest of the day is unchanged.
 */
export interface BadDay {
  /** Paris calendar day, YYYY-MM-DD. */
  readonly day: string;
  /** The day brings this share of its usual offers (0.3: a collapse to 30 %). Default 1. */
  readonly volumeRatio?: number;
  /**
   * Share of the day's offers served under the id of an offer of the day before, as an offer
   * republished under its old id would be (still unique within the day). Default 0.
   */
  readonly duplicateRatio?: number;
  /**
   * Share of the day's offers whose `dateCreation` is 24 hours earlier than the instant the
   * search files them under: the API returns them for this day, dated the day before. Default 0.
   */
  readonly outsideDayRatio?: number;
  /** Share of the day's offers with a ROME code and a commune that no referential knows. Default 0. */
  readonly unknownCodeRatio?: number;
}

/**
 * A bad day with every data fault at once: 30 % of the usual volume, 2 % of the ids taken
 * from the day before, 1 % of creation dates outside the day, 5 % of unknown codes.
 *
 * @example
 * startSimulator({ faults: { badDays: [badDay("2024-08-01")] } });
 * startSimulator({ faults: { badDays: [badDay("2024-08-01", { volumeRatio: 1 })] } });
 */
export function badDay(day: string, overrides: Partial<Omit<BadDay, "day">> = {}): BadDay {
  return {
    day,
    volumeRatio: 0.3,
    duplicateRatio: 0.02,
    outsideDayRatio: 0.01,
    unknownCodeRatio: 0.05,
    ...overrides,
  };
}

/** Throws a RangeError naming the problem unless every bad day has a real day and ratios in [0, 1]. */
export function assertBadDays(badDays: readonly BadDay[]): void {
  const seen = new Set<string>();
  for (const bad of badDays) {
    assertDay(bad.day);
    if (seen.has(bad.day)) throw new RangeError(`bad day ${bad.day} is given twice`);
    seen.add(bad.day);
    for (const name of RATIOS) {
      const value = bad[name];
      if (value !== undefined && !(Number.isFinite(value) && value >= 0 && value <= 1))
        throw new RangeError(`bad day ${bad.day}: ${name} must be between 0 and 1 (got ${value})`);
    }
  }
}

const RATIOS = ["volumeRatio", "duplicateRatio", "outsideDayRatio", "unknownCodeRatio"] as const;

/** The bad day of `options` on `day`, if any. */
export function badDayOf(options: SimulatorOptions, day: string): BadDay | undefined {
  return options.faults?.badDays?.find((b) => b.day === day);
}

export interface SimulatorOptions {
  /** Seed of the offers and of the faults. Default 1. */
  readonly seed?: number;
  /** Offers created on a Monday…Friday. Default 50,000; Saturdays and Sundays get 15 % of it. */
  readonly offersPerWeekday?: number;
  /** Overrides the number of offers of any day (hotspots come on top). */
  readonly offersPerDay?: (day: string) => number;
  readonly hotspots?: readonly Hotspot[];
  /** Calls per second allowed per client id (429 beyond); 0 = unlimited. Default 10. */
  readonly rateLimitPerSecond?: number;
  /** Lifetime of issued tokens. Default 1499 s, as the real token endpoint. */
  readonly tokenTtlSeconds?: number;
  /** Accepted credentials; default: any non-empty client_id and client_secret. */
  readonly credentials?: { readonly clientId: string; readonly clientSecret: string };
  readonly faults?: FaultOptions;
  /** Days kept generated in memory (least recently used evicted). Default 4. */
  readonly maxCachedDays?: number;
  /** Called with the query parameters of every search call past authentication and rate limit. */
  readonly onSearch?: (params: URLSearchParams) => void;
}

/** The number of offers of a day without hotspots (a bad day's volume ratio applied). */
export function baseOffersOfDay(options: SimulatorOptions, day: string, weekday: number): number {
  const ratio = badDayOf(options, day)?.volumeRatio ?? 1;
  if (options.offersPerDay) return Math.max(0, Math.round(options.offersPerDay(day) * ratio));
  const perWeekday = options.offersPerWeekday ?? 50_000;
  const usual = weekday === 0 || weekday === 6 ? Math.round(perWeekday * 0.15) : perWeekday;
  return Math.round(usual * ratio);
}

/**
 * Hotspots that make `day` hard to collect:
 * - 4,800 offers created at 10:00:00 Paris time (more than 3,150 in one second), of which
 * - 4,000 have ROME code `romeCode` (more than 3,150 in one second for one code), of which
 * - 3,000 are in `departement`, which gets 500 more offers of that code later in the day, so
 *   the (ROME code, département) pair has more than 3,150 offers that day while each
 *   (second, code, département) query still fits in 3,150 results.
 *
 * @example
 * startSimulator({ offersPerDay: () => 3000, hotspots: hotDay("2024-08-01") });
 */
export function hotDay(
  day: string,
  { romeCode = "K2204", departement = "75" }: { romeCode?: string; departement?: string } = {},
): Hotspot[] {
  return [
    { day, count: 3000, at: "10:00:00", romeCode, departement },
    { day, count: 1000, at: "10:00:00", romeCode },
    { day, count: 800, at: "10:00:00" },
    { day, count: 500, romeCode, departement },
  ];
}
