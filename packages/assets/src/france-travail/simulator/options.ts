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

/** The number of offers of a day without hotspots. */
export function baseOffersOfDay(options: SimulatorOptions, day: string, weekday: number): number {
  if (options.offersPerDay) return Math.max(0, Math.round(options.offersPerDay(day)));
  const perWeekday = options.offersPerWeekday ?? 50_000;
  return weekday === 0 || weekday === 6 ? Math.round(perWeekday * 0.15) : perWeekday;
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
