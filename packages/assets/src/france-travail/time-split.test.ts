import { describe, expect, it } from "vitest";
import { partsFor, splitByProfile, splitTimeWindow } from "./time-split";

describe("splitTimeWindow", () => {
  it("covers the window exactly with whole-second parts of nearly equal length", () => {
    const start = Date.parse("2024-07-31T22:00:00Z");
    const end = Date.parse("2024-08-01T22:00:00Z");
    const parts = splitTimeWindow(start, end, 7);
    expect(parts).toHaveLength(7);
    expect(parts[0]![0]).toBe(start);
    expect(parts[6]![1]).toBe(end);
    for (let i = 0; i < parts.length; i++) {
      const [a, b] = parts[i]!;
      expect(a % 1000).toBe(0);
      expect(b % 1000).toBe(0);
      expect(b - a).toBeGreaterThanOrEqual(Math.floor(86_400 / 7) * 1000);
      expect(b - a).toBeLessThanOrEqual(Math.ceil(86_400 / 7) * 1000);
      if (i > 0) expect(a).toBe(parts[i - 1]![1]);
    }
  });

  it("never cuts below one second", () => {
    expect(splitTimeWindow(0, 3000, 10)).toEqual([
      [0, 1000],
      [1000, 2000],
      [2000, 3000],
    ]);
    expect(splitTimeWindow(5000, 6000, 4)).toEqual([[5000, 6000]]);
    expect(() => splitTimeWindow(0, 1500, 2)).toThrow(RangeError);
  });

  it("sizes the number of parts from the total", () => {
    expect(partsFor(50_000, 2700)).toBe(19);
    expect(partsFor(3151, 2700)).toBe(2);
    expect(partsFor(10_000, 5000)).toBe(2);
  });
});

describe("splitByProfile", () => {
  const HOUR = 3600;
  const day = { start: 1_722_808_800_000, end: 1_722_808_800_000 + 24 * HOUR * 1000 };

  it("cuts where the profile's results are evenly shared, so that busy hours get short windows", () => {
    // 100 results in the night's first hour, 900 between 09:00 and 10:00.
    const profile = [
      ...Array.from({ length: 100 }, (_, i) => i * 36),
      ...Array.from({ length: 900 }, (_, i) => 9 * HOUR + i * 4),
    ];
    const windows = splitByProfile(day.start, day.end, 4, profile);
    expect(windows).toHaveLength(4);
    expect(windows[0]![0]).toBe(day.start);
    expect(windows.at(-1)![1]).toBe(day.end);
    for (let i = 1; i < windows.length; i++) expect(windows[i]![0]).toBe(windows[i - 1]![1]);
    // Each cut is a quantile of the profile: 250, 500 and 750 results before it.
    const cuts = windows.slice(1).map(([from]) => (from - day.start) / 1000);
    expect(cuts).toEqual([9 * HOUR + 150 * 4, 9 * HOUR + 400 * 4, 9 * HOUR + 650 * 4]);
    for (const [from, to] of windows) {
      expect(from % 1000).toBe(0);
      expect(to).toBeGreaterThan(from);
    }
  });

  it("cuts evenly in time without a profile, or with too few results for the parts", () => {
    const even = splitTimeWindow(day.start, day.end, 6);
    expect(splitByProfile(day.start, day.end, 6, [])).toEqual(even);
    expect(
      splitByProfile(
        day.start,
        day.end,
        6,
        Array.from({ length: 100 }, (_, i) => i),
      ),
    ).toEqual(even);
  });

  it("never makes an empty window when the profile piles up on one second", () => {
    const profile = [
      ...Array.from({ length: 500 }, () => 10),
      ...Array.from({ length: 500 }, (_, i) => 20 + i),
    ];
    const windows = splitByProfile(day.start, day.end, 5, profile);
    expect(windows[0]).toEqual([day.start, day.start + 10_000]);
    for (const [from, to] of windows) expect(to).toBeGreaterThan(from);
    expect(windows.at(-1)![1]).toBe(day.end);
  });
});
