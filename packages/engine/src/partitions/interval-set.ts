/**
 * An immutable set of integers stored as sorted, disjoint, non-adjacent half-open ranges
 * `[start, end)`. Partition subsets are interval sets over partition indices, so that 100k
 * partitions cost a handful of ranges, never 100k objects.
 *
 * @example
 * const s = IntervalSet.fromRange(0, 10).subtract(IntervalSet.single(3));
 * s.ranges; // [[0, 3], [4, 10]]
 * s.size;   // 9
 */
export type Range = readonly [start: number, end: number];

export class IntervalSet {
  static readonly EMPTY = new IntervalSet([]);

  private constructor(readonly ranges: readonly Range[]) {}

  /** Normalises arbitrary (possibly overlapping, unsorted) ranges. */
  static fromRanges(ranges: Iterable<Range>): IntervalSet {
    const sorted = [...ranges].filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
    const out: [number, number][] = [];
    for (const [s, e] of sorted) {
      const last = out[out.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else out.push([s, e]);
    }
    return out.length === 0 ? IntervalSet.EMPTY : new IntervalSet(out);
  }

  /** `[start, end)`; empty when end <= start. */
  static fromRange(start: number, end: number): IntervalSet {
    return end > start ? new IntervalSet([[start, end]]) : IntervalSet.EMPTY;
  }

  static single(index: number): IntervalSet {
    return new IntervalSet([[index, index + 1]]);
  }

  static fromIndices(indices: Iterable<number>): IntervalSet {
    const sorted = [...new Set(indices)].sort((a, b) => a - b);
    const out: [number, number][] = [];
    for (const i of sorted) {
      const last = out[out.length - 1];
      if (last && i === last[1]) last[1] = i + 1;
      else out.push([i, i + 1]);
    }
    return out.length === 0 ? IntervalSet.EMPTY : new IntervalSet(out);
  }

  static unionAll(sets: Iterable<IntervalSet>): IntervalSet {
    const all: Range[] = [];
    for (const s of sets) all.push(...s.ranges);
    return IntervalSet.fromRanges(all);
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  get size(): number {
    let n = 0;
    for (const [s, e] of this.ranges) n += e - s;
    return n;
  }

  /** Smallest member, or undefined when empty. */
  get first(): number | undefined {
    return this.ranges[0]?.[0];
  }

  /** Largest member, or undefined when empty. */
  get last(): number | undefined {
    const r = this.ranges[this.ranges.length - 1];
    return r ? r[1] - 1 : undefined;
  }

  has(index: number): boolean {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [s, e] = this.ranges[mid]!;
      if (index < s) hi = mid - 1;
      else if (index >= e) lo = mid + 1;
      else return true;
    }
    return false;
  }

  union(other: IntervalSet): IntervalSet {
    if (other.isEmpty) return this;
    if (this.isEmpty) return other;
    return IntervalSet.fromRanges([...this.ranges, ...other.ranges]);
  }

  intersect(other: IntervalSet): IntervalSet {
    const out: Range[] = [];
    let i = 0;
    let j = 0;
    while (i < this.ranges.length && j < other.ranges.length) {
      const [a0, a1] = this.ranges[i]!;
      const [b0, b1] = other.ranges[j]!;
      const s = Math.max(a0, b0);
      const e = Math.min(a1, b1);
      if (s < e) out.push([s, e]);
      if (a1 < b1) i++;
      else j++;
    }
    return out.length === 0 ? IntervalSet.EMPTY : new IntervalSet(out);
  }

  subtract(other: IntervalSet): IntervalSet {
    if (this.isEmpty || other.isEmpty) return this;
    const out: Range[] = [];
    let j = 0;
    for (const [s0, e] of this.ranges) {
      let s = s0;
      while (j < other.ranges.length && other.ranges[j]![1] <= s) j++;
      let k = j;
      while (k < other.ranges.length && other.ranges[k]![0] < e) {
        const [b0, b1] = other.ranges[k]!;
        if (b0 > s) out.push([s, b0]);
        s = Math.max(s, b1);
        if (b1 > e) break;
        k++;
      }
      if (s < e) out.push([s, e]);
    }
    return out.length === 0 ? IntervalSet.EMPTY : new IntervalSet(out);
  }

  /** Every member moved by `delta`. */
  shift(delta: number): IntervalSet {
    if (delta === 0 || this.isEmpty) return this;
    return new IntervalSet(this.ranges.map(([s, e]) => [s + delta, e + delta] as const));
  }

  /** Each member `i` replaced by `[i + lo, i + hi]` (inclusive window), merged. */
  widen(lo: number, hi: number): IntervalSet {
    if (lo === 0 && hi === 0) return this;
    return IntervalSet.fromRanges(this.ranges.map(([s, e]) => [s + lo, e + hi] as const));
  }

  equals(other: IntervalSet): boolean {
    if (this.ranges.length !== other.ranges.length) return false;
    return this.ranges.every(([s, e], i) => s === other.ranges[i]![0] && e === other.ranges[i]![1]);
  }

  *[Symbol.iterator](): IterableIterator<number> {
    for (const [s, e] of this.ranges) for (let i = s; i < e; i++) yield i;
  }

  /** PostgreSQL `int4multirange` literal, e.g. `{[1,4),[7,8)}`. */
  toMultirange(): string {
    return `{${this.ranges.map(([s, e]) => `[${s},${e})`).join(",")}}`;
  }

  /** Parses the canonical text form PostgreSQL returns for an `int4multirange`. */
  static fromMultirange(text: string): IntervalSet {
    const ranges: Range[] = [];
    const re = /([[(])(-?\d*),(-?\d*)([\])])/g;
    for (const m of text.matchAll(re)) {
      const start = Number(m[2]) + (m[1] === "(" ? 1 : 0);
      const end = Number(m[3]) + (m[4] === "]" ? 1 : 0);
      ranges.push([start, end]);
    }
    return IntervalSet.fromRanges(ranges);
  }

  toJSON(): Range[] {
    return this.ranges.map(([s, e]) => [s, e]);
  }
}
