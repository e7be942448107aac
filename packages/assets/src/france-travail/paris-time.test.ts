import { describe, expect, it } from "vitest";
import {
  assertDay,
  formatApiDate,
  nextDay,
  parisDayOf,
  parisDayWindow,
  parseApiDate,
} from "./paris-time";

describe("parisDayWindow", () => {
  it("covers a summer day from 22:00 UTC the evening before", () => {
    const { start, end } = parisDayWindow("2024-08-01");
    expect(start.toISOString()).toBe("2024-07-31T22:00:00.000Z");
    expect(end.toISOString()).toBe("2024-08-01T22:00:00.000Z");
  });

  it("gives 2024-10-27 25 hours (back to winter time)", () => {
    const { start, end } = parisDayWindow("2024-10-27");
    expect(formatApiDate(start.getTime())).toBe("2024-10-26T22:00:00Z");
    expect(formatApiDate(end.getTime())).toBe("2024-10-27T23:00:00Z");
  });

  it("gives 2025-03-30 23 hours (to summer time)", () => {
    const { start, end } = parisDayWindow("2025-03-30");
    expect(formatApiDate(start.getTime())).toBe("2025-03-29T23:00:00Z");
    expect(formatApiDate(end.getTime())).toBe("2025-03-30T22:00:00Z");
  });

  it("crosses months and years", () => {
    expect(parisDayWindow("2024-12-31").end.toISOString()).toBe("2024-12-31T23:00:00.000Z");
    expect(nextDay("2024-02-28")).toBe("2024-02-29");
    expect(nextDay("2024-12-31")).toBe("2025-01-01");
  });

  it("rejects what is not a real day", () => {
    for (const day of ["2024-02-30", "2024-8-1", "20240801", "", "2024-13-01"]) {
      expect(() => assertDay(day), day).toThrow(RangeError);
    }
  });
});

describe("API dates", () => {
  it("formats to whole seconds in UTC and parses back strictly", () => {
    const t = Date.parse("2024-08-01T09:12:44.789Z");
    expect(formatApiDate(t)).toBe("2024-08-01T09:12:44Z");
    expect(parseApiDate("2024-08-01T09:12:44Z")).toBe(Date.parse("2024-08-01T09:12:44Z"));
    expect(parseApiDate("2024-08-01T09:12:44.000Z")).toBeUndefined();
    expect(parseApiDate("2024-08-01 09:12:44")).toBeUndefined();
    expect(parseApiDate("2024-02-30T00:00:00Z")).toBeUndefined();
  });

  it("tells the Paris day of an instant", () => {
    expect(parisDayOf(Date.parse("2024-07-31T22:00:00Z"))).toBe("2024-08-01");
    expect(parisDayOf(Date.parse("2024-07-31T21:59:59Z"))).toBe("2024-07-31");
    expect(parisDayOf(Date.parse("2024-10-27T22:59:59Z"))).toBe("2024-10-27");
  });
});
