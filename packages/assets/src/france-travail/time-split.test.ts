import { describe, expect, it } from "vitest";
import { partsFor, splitTimeWindow } from "./time-split";

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
