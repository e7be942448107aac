import { describe, expect, it } from "vitest";
import { dayIn, formatDateKey, isValidTimezone, parseDateKey, startOfDay } from "./calendar";

/** Epoch day of a key that the first tests prove parseDateKey handles correctly. */
function day(key: string): number {
  const d = parseDateKey(key);
  if (d === undefined) throw new Error(`test setup: ${key} is not a date`);
  return d;
}

describe("parseDateKey", () => {
  it("maps dates to days since 1970-01-01", () => {
    expect(parseDateKey("1970-01-01")).toBe(0);
    expect(parseDateKey("1970-01-02")).toBe(1);
    expect(parseDateKey("1969-12-31")).toBe(-1);
    // 54 years of 365 days plus 13 leap days (1972 … 2020).
    expect(parseDateKey("2024-01-01")).toBe(19_723);
    // Leap day: 31 (January) + 28 days after 2024-01-01.
    expect(parseDateKey("2024-02-29")).toBe(19_782);
    expect(parseDateKey("2024-03-01")).toBe(19_783);
  });

  it.each([
    ["2024-02-30", "February 30th does not exist"],
    ["2023-02-29", "2023 is not a leap year"],
    ["2100-02-29", "2100 is not a leap year"],
    ["2024-13-01", "there is no 13th month"],
    ["2024-00-10", "there is no month 0"],
    ["2024-04-31", "April has 30 days"],
    ["2024-05-00", "there is no day 0"],
    ["2024-1-01", "the month must have two digits"],
    ["2024-01-1", "the day must have two digits"],
    ["24-01-01", "the year must have four digits"],
    ["2024/01/01", "separators must be dashes"],
    ["2024-01-01T00:00:00Z", "a timestamp is not a date key"],
    [" 2024-01-01", "no surrounding whitespace"],
    ["abc", "not a date at all"],
    ["", "empty"],
  ])("rejects %j (%s)", (key) => {
    expect(parseDateKey(key)).toBeUndefined();
  });

  it("accepts leap days of leap years", () => {
    expect(parseDateKey("2024-02-29")).toBeDefined();
    expect(parseDateKey("2000-02-29")).toBeDefined();
  });
});

describe("formatDateKey", () => {
  it("formats epoch days", () => {
    expect(formatDateKey(0)).toBe("1970-01-01");
    expect(formatDateKey(-1)).toBe("1969-12-31");
    expect(formatDateKey(19_782)).toBe("2024-02-29");
  });

  it.each(["2024-02-29", "2000-02-29", "1969-12-31", "2024-12-31", "2025-01-01", "9999-12-31"])(
    "round-trips %s",
    (key) => {
      expect(formatDateKey(day(key))).toBe(key);
    },
  );

  it("round-trips every day of a leap year and the next year", () => {
    const first = day("2024-01-01");
    for (let d = first; d < first + 366 + 365; d++) {
      expect(parseDateKey(formatDateKey(d))).toBe(d);
    }
    expect(formatDateKey(first + 366)).toBe("2025-01-01");
  });
});

describe("dayIn", () => {
  it("uses the local calendar day of the timezone", () => {
    // 23:30 UTC on Oct 27 is 00:30 (CET, UTC+1) on Oct 28 in Paris.
    const now = new Date("2024-10-27T23:30:00Z");
    expect(dayIn("Europe/Paris", now)).toBe(day("2024-10-28"));
    expect(dayIn("UTC", now)).toBe(day("2024-10-27"));
  });

  it("switches day exactly at local midnight, in summer time (UTC+2)", () => {
    // Paris midnight on 2024-10-27 (still CEST) is 22:00 UTC the day before.
    expect(dayIn("Europe/Paris", new Date("2024-10-26T21:59:59.999Z"))).toBe(day("2024-10-26"));
    expect(dayIn("Europe/Paris", new Date("2024-10-26T22:00:00Z"))).toBe(day("2024-10-27"));
  });

  it("switches day exactly at local midnight, in winter time (UTC+1)", () => {
    expect(dayIn("Europe/Paris", new Date("2024-10-27T22:59:59.999Z"))).toBe(day("2024-10-27"));
    expect(dayIn("Europe/Paris", new Date("2024-10-27T23:00:00Z"))).toBe(day("2024-10-28"));
  });

  it("handles timezones west of UTC", () => {
    // 02:00 UTC on Jan 1st is still Dec 31st (21:00) in New York.
    expect(dayIn("America/New_York", new Date("2024-01-01T02:00:00Z"))).toBe(day("2023-12-31"));
  });
});

describe("startOfDay", () => {
  it("is local midnight as an instant", () => {
    expect(startOfDay(day("2024-06-15"), "Europe/Paris").toISOString()).toBe(
      "2024-06-14T22:00:00.000Z",
    );
    expect(startOfDay(day("2024-01-15"), "Europe/Paris").toISOString()).toBe(
      "2024-01-14T23:00:00.000Z",
    );
    expect(startOfDay(day("2024-06-15"), "UTC").toISOString()).toBe("2024-06-15T00:00:00.000Z");
    expect(startOfDay(day("2024-06-15"), "America/New_York").toISOString()).toBe(
      "2024-06-15T04:00:00.000Z",
    );
  });
});

describe("isValidTimezone", () => {
  it("accepts IANA names and rejects unknown ones", () => {
    expect(isValidTimezone("Europe/Paris")).toBe(true);
    expect(isValidTimezone("UTC")).toBe(true);
    expect(isValidTimezone("America/New_York")).toBe(true);
    expect(isValidTimezone("Mars/Olympus_Mons")).toBe(false);
    expect(isValidTimezone("Europe/Pariss")).toBe(false);
  });
});
