import { nextDay, parisDayOf, parisMidnightMs } from "../paris-time";
import { generateDay } from "./generate-day";
import { type OfferFacets, OfferGenerator } from "./offer-generator";
import { assertBadDays, type SimulatorOptions } from "./options";

/** One generated day, kept as ready-to-send JSON plus the indexes the search filters need. */
interface DayData {
  readonly day: string;
  /** Creation instants, ascending. */
  readonly times: Float64Array;
  readonly json: readonly string[];
  readonly ids: readonly string[];
  readonly romes: readonly string[];
  readonly departements: readonly (string | undefined)[];
  readonly facets: readonly OfferFacets[];
  /** Positions (ascending, hence by time) of each ROME code's and département's offers. */
  readonly byRome: ReadonlyMap<string, Int32Array>;
  readonly byDepartement: ReadonlyMap<string, Int32Array>;
}

export interface SearchFilters {
  readonly minMs: number;
  readonly maxMs: number;
  readonly romeCodes?: readonly string[];
  readonly departements?: readonly string[];
}

/** The offers a search matches, newest first (a stable order for a given query). */
export interface SearchMatch {
  readonly total: number;
  /** JSON of the results at positions first … last (inclusive, clipped to the total). */
  page(first: number, last: number): string[];
  /** Counts per value of the aggregated filters, as `filtresPossibles`. */
  facets(): { filtre: string; agregation: { valeurPossible: string; nbResultats: number }[] }[];
}

interface Segment {
  readonly data: DayData;
  /** Positions in `data`, ascending. */
  readonly positions: Int32Array;
}

const EMPTY = new Int32Array(0);
/** Search windows may span at most this many days (each one is generated in memory). */
export const MAX_WINDOW_DAYS = 31;

/** Generates days lazily, once, and keeps the most recently used ones. */
export class DayStore {
  private readonly generator: OfferGenerator;
  private readonly cache = new Map<string, DayData>();
  private readonly maxCached: number;

  constructor(private readonly options: SimulatorOptions) {
    assertBadDays(options.faults?.badDays ?? []);
    this.generator = new OfferGenerator(options.seed ?? 1);
    this.maxCached = Math.max(1, options.maxCachedDays ?? 4);
  }

  /** The JSON of every offer of a day, oldest first. */
  dayJson(day: string): readonly string[] {
    return this.get(day).json;
  }

  dayIds(day: string): readonly string[] {
    return this.get(day).ids;
  }

  /** Paris days overlapping [minMs, maxMs), oldest first. */
  daysOf(minMs: number, maxMs: number): string[] {
    const days: string[] = [];
    if (maxMs <= minMs) return days;
    let day = parisDayOf(minMs);
    while (parisMidnightMs(day) < maxMs) {
      days.push(day);
      day = nextDay(day);
    }
    return days;
  }

  search(filters: SearchFilters): SearchMatch {
    const segments: Segment[] = [];
    const days = this.daysOf(filters.minMs, filters.maxMs);
    if (days.length > MAX_WINDOW_DAYS) throw new RangeError("window too long");
    // Newest day first: results are sorted by creation time, descending.
    for (const day of days.reverse()) {
      const positions = select(this.get(day), filters);
      if (positions.length > 0) segments.push({ data: this.get(day), positions });
    }
    const total = segments.reduce((sum, s) => sum + s.positions.length, 0);
    return {
      total,
      page: (first, last) => page(segments, first, Math.min(last, total - 1)),
      facets: () => facets(segments),
    };
  }

  private get(day: string): DayData {
    const cached = this.cache.get(day);
    if (cached) {
      this.cache.delete(day);
      this.cache.set(day, cached);
      return cached;
    }
    const data = index(day, generateDay(this.generator, this.options, day));
    this.cache.set(day, data);
    while (this.cache.size > this.maxCached) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return data;
  }
}

function index(day: string, offers: ReturnType<typeof generateDay>): DayData {
  const times = new Float64Array(offers.length);
  const byRome = new Map<string, number[]>();
  const byDepartement = new Map<string, number[]>();
  offers.forEach((o, i) => {
    times[i] = o.createdMs;
    push(byRome, o.romeCode, i);
    if (o.departement !== undefined) push(byDepartement, o.departement, i);
  });
  return {
    day,
    times,
    json: offers.map((o) => JSON.stringify(o.offer)),
    ids: offers.map((o) => o.offer.id),
    romes: offers.map((o) => o.romeCode),
    departements: offers.map((o) => o.departement),
    facets: offers.map((o) => o.facets),
    byRome: freeze(byRome),
    byDepartement: freeze(byDepartement),
  };
}

function select(data: DayData, filters: SearchFilters): Int32Array {
  const { romeCodes, departements } = filters;
  const within = (positions: Int32Array): Int32Array => {
    const lo = lowerBound(positions, data.times, filters.minMs);
    const hi = lowerBound(positions, data.times, filters.maxMs);
    return positions.subarray(lo, hi);
  };
  if (romeCodes && romeCodes.length > 0) {
    let positions = within(union(romeCodes.map((c) => data.byRome.get(c) ?? EMPTY)));
    if (departements && departements.length > 0) {
      const wanted = new Set(departements);
      positions = positions.filter((p) => wanted.has(data.departements[p] ?? ""));
    }
    return positions;
  }
  if (departements && departements.length > 0) {
    return within(union(departements.map((d) => data.byDepartement.get(d) ?? EMPTY)));
  }
  const lo = lowerBoundTimes(data.times, filters.minMs);
  const hi = lowerBoundTimes(data.times, filters.maxMs);
  const all = new Int32Array(hi - lo);
  for (let i = 0; i < all.length; i++) all[i] = lo + i;
  return all;
}

function page(segments: readonly Segment[], first: number, last: number): string[] {
  const out: string[] = [];
  let offset = 0;
  for (const { data, positions } of segments) {
    const n = positions.length;
    for (let k = Math.max(first, offset); k <= last && k < offset + n; k++) {
      out.push(data.json[positions[n - 1 - (k - offset)]!]!);
    }
    offset += n;
    if (offset > last) break;
  }
  return out;
}

function facets(segments: readonly Segment[]): ReturnType<SearchMatch["facets"]> {
  const names = ["typeContrat", "experience", "qualification", "natureContrat"] as const;
  const counts = names.map(() => new Map<string, number>());
  for (const { data, positions } of segments) {
    for (const p of positions) {
      const f = data.facets[p]!;
      names.forEach((name, i) => counts[i]!.set(f[name], (counts[i]!.get(f[name]) ?? 0) + 1));
    }
  }
  return names.map((name, i) => ({
    filtre: name,
    agregation: [...counts[i]!.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([valeurPossible, nbResultats]) => ({ valeurPossible, nbResultats })),
  }));
}

/** Ascending union of ascending position lists. */
function union(lists: readonly Int32Array[]): Int32Array {
  if (lists.length === 1) return lists[0]!;
  const merged = new Int32Array(lists.reduce((n, l) => n + l.length, 0));
  let offset = 0;
  for (const list of lists) {
    merged.set(list, offset);
    offset += list.length;
  }
  return new Int32Array(new Set(merged.sort())).sort();
}

/** First index i in `positions` with times[positions[i]] ≥ t. */
function lowerBound(positions: Int32Array, times: Float64Array, t: number): number {
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[positions[mid]!]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBoundTimes(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function freeze(map: Map<string, number[]>): Map<string, Int32Array> {
  return new Map([...map].map(([k, v]) => [k, Int32Array.from(v)]));
}
