import { describe, expect, it } from "vitest";
import { InvalidPartitionError } from "../errors";
import {
  allPartitions,
  dailyPartitions,
  describePartitions,
  hourlyPartitions,
  monthlyPartitions,
  partitionBounds,
  partitionIndex,
  partitionKey,
  partitionKeys,
  partitionsFingerprint,
  staticPartitions,
  timeWindowOf,
} from "./definition";
import { IntervalSet } from "./interval-set";
import { expectInverseMappings } from "./inverse-mappings.testing";
import {
  defaultMapping,
  downstreamPartitionsFor,
  mappingProblem,
  timeWindowMapping,
  upstreamPartitionsFor,
  type PartitionMapping,
} from "./mapping";
import { multiPartitions } from "./multi";

const now = new Date("2024-08-10T12:00:00Z"); // Paris: last complete day 2024-08-09
const daily = dailyPartitions({ start: "2024-08-01" });
const regions = staticPartitions(["11", "84", "93"]);
const grid = multiPartitions({ region: regions, date: daily });
const idx = (key: string): number => partitionIndex(grid, key, now);

function expectInvalid(fn: () => unknown, ...fragments: string[]): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidPartitionError);
  for (const f of fragments) expect((error as Error).message).toContain(f);
}

describe("multiPartitions (day × région)", () => {
  it("name partitions time first, then the static key, joined by |", () => {
    const first = partitionBounds(grid, now).first;
    expect(partitionKeys(grid, IntervalSet.fromRange(first, first + 4))).toEqual([
      "2024-08-01|11",
      "2024-08-01|84",
      "2024-08-01|93",
      "2024-08-02|11",
    ]);
    expect(allPartitions(grid, now).size).toBe(9 * 3);
    expect(partitionKey(grid, idx("2024-08-09|93"))).toBe("2024-08-09|93");
    // Time-major: index = epoch day × 3 + the région's position.
    expect(idx("2024-08-01|84")).toBe(partitionIndex(daily, "2024-08-01", now) * 3 + 1);
  });

  it("give a partition its day's time window", () => {
    expect(timeWindowOf(grid, idx("2024-08-02|84"))).toEqual({
      start: new Date("2024-08-01T22:00:00Z"),
      end: new Date("2024-08-02T22:00:00Z"),
    });
    expect(timeWindowOf(grid, idx("2024-08-02|11"), idx("2024-08-03|93"))).toEqual({
      start: new Date("2024-08-01T22:00:00Z"),
      end: new Date("2024-08-03T22:00:00Z"),
    });
  });

  it.each([
    ["2024-08-01", "expected date|region, e.g. 2024-08-01|11"],
    ["2024-08-01|84|x", "expected date|region"],
    ["84|2024-08-01", "date: not a valid YYYY-MM-DD date"],
    ["2024-08-01|75", "region: expected one of 11, 84, 93"],
    ["2024-08-10|84", "out of range"],
    ["2024-07-31|84", "out of range"],
  ])("reject the key %j", (key, fragment) => {
    expectInvalid(() => idx(key), fragment);
  });

  it("take one time and one static dimension, with keys free of |", () => {
    expectInvalid(() => multiPartitions({ a: regions, b: regions }), "two dimensions");
    expectInvalid(() => multiPartitions({ a: daily, b: daily }), "two dimensions");
    expectInvalid(() => multiPartitions({ a: daily }), "two dimensions");
    expectInvalid(
      () => multiPartitions({ a: daily, b: regions, c: staticPartitions(["x"]) }),
      "two dimensions",
    );
    expectInvalid(
      () => multiPartitions({ d: daily, r: staticPartitions(["a|b"]) }),
      'static key "a|b"',
    );
    const many = staticPartitions(Array.from({ length: 5_000 }, (_, i) => `k${i}`));
    expectInvalid(
      () => multiPartitions({ h: hourlyPartitions({ start: "2024-01-01" }), k: many }),
      "32 bits",
    );
    expect(describePartitions(grid)).toBe(
      "date: daily from 2024-08-01 (Europe/Paris) × region: static (3 keys)",
    );
    expect(partitionsFingerprint(grid)).not.toBe(
      partitionsFingerprint(multiPartitions({ date: daily, region: staticPartitions(["11"]) })),
    );
  });
});

describe("mappings of two-dimensional partitions", () => {
  const m0 = timeWindowMapping({ offset: 0 });

  it("default to the time window with time partitions, to all with static ones", () => {
    expect(defaultMapping(daily, grid)).toEqual(m0);
    expect(defaultMapping(grid, daily)).toEqual(m0);
    expect(defaultMapping(grid, monthlyPartitions({ start: "2024-08-01" }))).toEqual(m0);
    expect(defaultMapping(grid, grid)).toEqual({ kind: "identity" });
    expect(defaultMapping(regions, grid)).toEqual({ kind: "all" });
    expect(mappingProblem(m0, daily, grid)).toBeUndefined();
    expect(mappingProblem(m0, grid, daily)).toBeUndefined();
    expect(mappingProblem(m0, regions, grid)).toContain("needs time partitions");
    const other = multiPartitions({ date: daily, region: staticPartitions(["11"]) });
    expect(mappingProblem({ kind: "identity" }, grid, other)).toContain("different dimensions");
    expect(mappingProblem(m0, grid, other)).toContain("same static keys");
  });

  it("make (day, région) read its day, and a day feed every région of it", () => {
    const day = IntervalSet.single(partitionIndex(daily, "2024-08-02", now));
    const cell = IntervalSet.single(idx("2024-08-02|84"));
    expect(partitionKeys(daily, upstreamPartitionsFor(m0, cell, daily, now, grid))).toEqual([
      "2024-08-02",
    ]);
    expect(partitionKeys(grid, downstreamPartitionsFor(m0, day, grid, now, daily))).toEqual([
      "2024-08-02|11",
      "2024-08-02|84",
      "2024-08-02|93",
    ]);
  });

  it("make a day read every (day, région), and (day, région) feed its day", () => {
    const day = IntervalSet.single(partitionIndex(daily, "2024-08-02", now));
    const cell = IntervalSet.single(idx("2024-08-02|84"));
    expect(partitionKeys(grid, upstreamPartitionsFor(m0, day, grid, now, daily))).toEqual([
      "2024-08-02|11",
      "2024-08-02|84",
      "2024-08-02|93",
    ]);
    expect(partitionKeys(daily, downstreamPartitionsFor(m0, cell, daily, now, grid))).toEqual([
      "2024-08-02",
    ]);
    // A month reads every région of its days.
    const monthly = monthlyPartitions({ start: "2024-07-01" });
    const july = IntervalSet.single(partitionIndex(monthly, "2024-07-01", now));
    expect(upstreamPartitionsFor(m0, july, grid, now, monthly).size).toBe(31 * 3);
  });

  it("keep each région to itself between two grids, shifted by the offsets", () => {
    const m = timeWindowMapping({ offset: -1 });
    const cells = IntervalSet.fromIndices([idx("2024-08-03|84"), idx("2024-08-05|11")]);
    expect(partitionKeys(grid, upstreamPartitionsFor(m, cells, grid, now, grid))).toEqual([
      "2024-08-02|84",
      "2024-08-04|11",
    ]);
    expect(partitionKeys(grid, downstreamPartitionsFor(m, cells, grid, now, grid))).toEqual([
      "2024-08-04|84",
      "2024-08-06|11",
    ]);
  });

  it("up and down are inverse relations", () => {
    const monthly = monthlyPartitions({ start: "2024-07-01" });
    const hourly = hourlyPartitions({ start: "2024-08-01" });
    const mappings: PartitionMapping[] = [m0, timeWindowMapping({ startOffset: -1, endOffset: 1 })];
    const pairs = [
      [grid, daily],
      [daily, grid],
      [grid, grid],
      [monthly, grid],
      [hourly, grid],
    ] as const;
    expectInverseMappings({ pairs, mappings, now, skip: 3, span: 4, margin: 7 });
  });
});

describe("multiPartitions' 32-bit indices", () => {
  it("count the end offset and periods before 1970", () => {
    const keys = staticPartitions(Array.from({ length: 1000 }, (_, i) => `k${i}`));
    expect(() =>
      multiPartitions({
        date: hourlyPartitions({ start: "1700-01-01", timezone: "UTC" }),
        k: keys,
      }),
    ).toThrow(/32 bits/);
    const few = staticPartitions(Array.from({ length: 1880 }, (_, i) => `k${i}`));
    expect(() =>
      multiPartitions({
        date: hourlyPartitions({ start: "2024-01-01", timezone: "UTC", endOffset: 10_000 }),
        k: few,
      }),
    ).toThrow(/32 bits/);
  });
});
