import { describe, expect, it } from "vitest";
import { InvalidPartitionError } from "../errors";
import {
  allPartitions,
  dailyPartitions,
  describePartitions,
  hourlyPartitions,
  lastCompletePartitionKey,
  monthlyPartitions,
  partitionBounds,
  partitionIndex,
  partitionKey,
  partitionKeys,
  partitionsFingerprint,
  partitionTimeWindow,
  staticPartitions,
  weeklyPartitions,
  type PartitionsDefinition,
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

const HOUR = 3_600_000;
const now = new Date("2026-01-15T12:00:00Z");
const hourly = hourlyPartitions({ start: "2025-01-01" });
const daily = dailyPartitions({ start: "2025-01-01" });
const weekly = weeklyPartitions({ start: "2024-12-30" });
const monthly = monthlyPartitions({ start: "2025-01-01" });

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

const idx = (def: PartitionsDefinition, key: string): number => partitionIndex(def, key, now);
const hours = (window: { start: Date; end: Date }): number =>
  (window.end.getTime() - window.start.getTime()) / HOUR;

describe("hourly partitions in Europe/Paris", () => {
  it("index UTC hours and name them in local time", () => {
    const i = idx(hourly, "2025-08-01-14:00");
    expect(i).toBe(Date.UTC(2025, 7, 1, 12) / HOUR);
    expect(partitionKey(hourly, i)).toBe("2025-08-01-14:00");
    expect(partitionTimeWindow(hourly, i)).toEqual({
      start: new Date("2025-08-01T12:00:00Z"),
      end: new Date("2025-08-01T13:00:00Z"),
    });
  });

  it("give 2025-03-30 23 hours: 02:00 does not exist", () => {
    const day = partitionTimeWindow(daily, idx(daily, "2025-03-30"));
    const first = idx(hourly, "2025-03-30-00:00");
    const last = idx(hourly, "2025-03-30-23:00");
    expect(last - first + 1).toBe(23);
    expect(hours(day)).toBe(23);
    expect(partitionKeys(hourly, IntervalSet.fromRange(first, first + 4))).toEqual([
      "2025-03-30-00:00",
      "2025-03-30-01:00",
      "2025-03-30-03:00",
      "2025-03-30-04:00",
    ]);
    expectInvalid(() => idx(hourly, "2025-03-30-02:00"), "does not exist in Europe/Paris");
  });

  it("give 2025-10-26 25 hours: 02:00 twice, as two partitions with distinct keys", () => {
    const first = idx(hourly, "2025-10-26-00:00");
    const last = idx(hourly, "2025-10-26-23:00");
    expect(last - first + 1).toBe(25);
    const keys = partitionKeys(hourly, IntervalSet.fromRange(first + 1, first + 5));
    expect(keys).toEqual([
      "2025-10-26-01:00",
      "2025-10-26-02:00+02:00",
      "2025-10-26-02:00+01:00",
      "2025-10-26-03:00",
    ]);
    const summer = idx(hourly, "2025-10-26-02:00+02:00");
    const winter = idx(hourly, "2025-10-26-02:00+01:00");
    expect(winter).toBe(summer + 1);
    expect(partitionTimeWindow(hourly, summer).start).toEqual(new Date("2025-10-26T00:00:00Z"));
    expect(partitionTimeWindow(hourly, winter).start).toEqual(new Date("2025-10-26T01:00:00Z"));
    expectInvalid(
      () => idx(hourly, "2025-10-26-02:00"),
      "happens twice",
      "2025-10-26-02:00+02:00 or 2025-10-26-02:00+01:00",
    );
    expectInvalid(() => idx(hourly, "2025-10-26-02:00+03:00"), "happens twice");
    // An offset on an hour that happens once is not its key.
    expectInvalid(() => idx(hourly, "2025-10-26-05:00+01:00"), "written 2025-10-26-05:00");
  });

  it("round-trip every hour of a year through their keys", () => {
    const year = IntervalSet.fromRange(
      idx(hourly, "2025-01-01-00:00"),
      idx(hourly, "2026-01-01-00:00"),
    );
    expect(year.size).toBe(8760);
    const keys = partitionKeys(hourly, year);
    expect(new Set(keys).size).toBe(8760);
    for (const [n, key] of keys.entries()) expect(idx(hourly, key)).toBe(year.first! + n);
  });

  it.each([
    ["2025-08-01 14:00", "YYYY-MM-DD-HH:mm"],
    ["2025-08-01-14:30", "minute 00"],
    ["2025-02-29-01:00", "YYYY-MM-DD-HH:mm"],
    ["2025-08-01-24:00", "YYYY-MM-DD-HH:mm"],
    ["2025-08-01", "YYYY-MM-DD-HH:mm"],
  ])("reject the key %j", (key, fragment) => {
    expectInvalid(() => idx(hourly, key), `"${key}"`, fragment);
  });

  it("end with the last complete hour (endOffset 0), or the one in progress (1)", () => {
    const at = new Date("2025-08-01T12:30:00Z"); // 14:30 in Paris
    const { last } = partitionBounds(hourly, at);
    expect(partitionKey(hourly, last)).toBe("2025-08-01-13:00");
    const withCurrent = hourlyPartitions({ start: "2025-01-01", endOffset: 1 });
    expect(partitionKey(withCurrent, partitionBounds(withCurrent, at).last)).toBe(
      "2025-08-01-14:00",
    );
    expect(lastCompletePartitionKey(hourly, at)).toBe("2025-08-01-13:00");
    expectInvalid(() => partitionIndex(hourly, "2025-08-01-14:00", at), "out of range");
  });

  it("start at a local hour or a date's midnight, in whole-hour zones only", () => {
    expect(partitionKey(hourly, partitionBounds(hourly, now).first)).toBe("2025-01-01-00:00");
    const h = hourlyPartitions({ start: "2025-01-01-06:00", timezone: "UTC" });
    expect(partitionKey(h, partitionBounds(h, now).first)).toBe("2025-01-01-06:00");
    expectInvalid(() => hourlyPartitions({ start: "2025-03-30-02:00" }), "start");
    expectInvalid(
      () => hourlyPartitions({ start: "2025-01-01", timezone: "Asia/Kolkata" }),
      "whole number of hours",
    );
  });
});

describe("weekly partitions", () => {
  it("start on Monday by default and are named by their first day", () => {
    const i = idx(weekly, "2025-03-24");
    expect(partitionKey(weekly, i)).toBe("2025-03-24");
    expect(partitionKey(weekly, i + 1)).toBe("2025-03-31");
    // The week of 2025-03-30 (spring forward) is one hour short; of 2025-10-26 one hour long.
    expect(hours(partitionTimeWindow(weekly, i))).toBe(167);
    expect(hours(partitionTimeWindow(weekly, idx(weekly, "2025-10-20")))).toBe(169);
    expect(partitionTimeWindow(weekly, i).start).toEqual(new Date("2025-03-23T23:00:00Z"));
    expectInvalid(() => idx(weekly, "2025-03-26"), "first day, a Monday", "2025-03-24");
    expectInvalid(() => idx(weekly, "2025-13-01"), "YYYY-MM-DD");
  });

  it("take another first weekday, and want start to be one", () => {
    const sundays = weeklyPartitions({ start: "2024-12-29", weekStartsOn: 7 });
    expect(partitionKey(sundays, partitionIndex(sundays, "2025-03-30", now))).toBe("2025-03-30");
    expectInvalid(() => weeklyPartitions({ start: "2024-12-29" }), "is a Sunday", "a Monday");
    expectInvalid(() => weeklyPartitions({ start: "2024-12-30", weekStartsOn: 0 }), "ISO weekday");
    expect(partitionsFingerprint(sundays)).not.toBe(partitionsFingerprint(weekly));
    expect(describePartitions(sundays)).toContain("weeks start on Sunday");
  });

  it("end with the last complete week", () => {
    const at = new Date("2025-04-02T10:00:00Z"); // a Wednesday
    expect(lastCompletePartitionKey(weekly, at)).toBe("2025-03-24");
    expect(partitionKey(weekly, partitionBounds(weekly, at).last)).toBe("2025-03-24");
  });
});

describe("monthly partitions", () => {
  it("are named by their first day and follow the timezone's calendar", () => {
    const march = idx(monthly, "2025-03-01");
    expect(partitionKey(monthly, march)).toBe("2025-03-01");
    expect(partitionKey(monthly, march + 10)).toBe("2026-01-01");
    expect(partitionTimeWindow(monthly, march)).toEqual({
      start: new Date("2025-02-28T23:00:00Z"),
      end: new Date("2025-03-31T22:00:00Z"),
    });
    expect(hours(partitionTimeWindow(monthly, march))).toBe(31 * 24 - 1);
    expect(hours(partitionTimeWindow(monthly, idx(monthly, "2025-10-01")))).toBe(31 * 24 + 1);
    expectInvalid(() => idx(monthly, "2025-03-02"), "first day", "2025-03-01");
    expectInvalid(() => monthlyPartitions({ start: "2025-01-15" }), "first day of a month");
  });

  it("end with the last complete month", () => {
    // 2025-08-31T22:30Z is already September in Paris.
    expect(lastCompletePartitionKey(monthly, new Date("2025-08-31T22:30:00Z"))).toBe("2025-08-01");
    expect(lastCompletePartitionKey(monthly, new Date("2025-08-31T21:30:00Z"))).toBe("2025-07-01");
    expect(allPartitions(monthly, now).size).toBe(12);
  });
});

describe("time-window mappings between grains", () => {
  const m0 = timeWindowMapping({ offset: 0 });

  it("are the default between time partitions of different grains", () => {
    expect(defaultMapping(hourly, daily)).toEqual(m0);
    expect(defaultMapping(daily, monthly)).toEqual(m0);
    expect(defaultMapping(daily, daily)).toEqual({ kind: "identity" });
    expect(defaultMapping(daily, staticPartitions(["a"]))).toEqual({ kind: "all" });
    for (const [up, down] of [
      [hourly, daily],
      [daily, hourly],
      [daily, monthly],
      [weekly, monthly],
      [hourly, dailyPartitions({ start: "2025-01-01", timezone: "UTC" })],
    ] as const) {
      expect(mappingProblem(m0, up, down)).toBeUndefined();
    }
    expect(mappingProblem({ kind: "identity" }, hourly, daily)).toContain(
      "identity mapping between hourly and daily",
    );
    expect(
      mappingProblem(
        { kind: "identity" },
        weekly,
        weeklyPartitions({ start: "2024-12-29", weekStartsOn: 7 }),
      ),
    ).toContain("weeks starting on different days");
  });

  it("make a day read its 23, 24 or 25 hours, and an hour feed its day", () => {
    for (const [key, count] of [
      ["2025-03-30", 23],
      ["2025-07-14", 24],
      ["2025-10-26", 25],
    ] as const) {
      const up = upstreamPartitionsFor(m0, IntervalSet.single(idx(daily, key)), hourly, now, daily);
      expect(up.size).toBe(count);
      expect(partitionKey(hourly, up.first!)).toBe(`${key}-00:00`);
      expect(partitionKey(hourly, up.last!)).toBe(`${key}-23:00`);
    }
    const down = downstreamPartitionsFor(
      m0,
      IntervalSet.single(idx(hourly, "2025-10-26-02:00+01:00")),
      daily,
      now,
      hourly,
    );
    expect(partitionKeys(daily, down)).toEqual(["2025-10-26"]);
    // The hour before midnight in Paris belongs to the day before, whatever UTC says.
    const late = IntervalSet.single(idx(hourly, "2025-07-14-23:00"));
    expect(partitionKeys(daily, downstreamPartitionsFor(m0, late, daily, now, hourly))).toEqual([
      "2025-07-14",
    ]);
  });

  it("make an hour read its day, and a day feed its hours", () => {
    const h = IntervalSet.single(idx(hourly, "2025-03-30-03:00"));
    expect(partitionKeys(daily, upstreamPartitionsFor(m0, h, daily, now, hourly))).toEqual([
      "2025-03-30",
    ]);
    const d = IntervalSet.single(idx(daily, "2025-03-30"));
    expect(downstreamPartitionsFor(m0, d, hourly, now, daily).size).toBe(23);
  });

  it("roll days up into months and weeks", () => {
    const feb = IntervalSet.single(idx(monthly, "2025-02-01"));
    const days = upstreamPartitionsFor(m0, feb, daily, now, monthly);
    expect(days.size).toBe(28);
    expect(partitionKey(daily, days.first!)).toBe("2025-02-01");
    expect(partitionKey(daily, days.last!)).toBe("2025-02-28");
    const day = IntervalSet.single(idx(daily, "2025-03-31"));
    expect(partitionKeys(monthly, downstreamPartitionsFor(m0, day, monthly, now, daily))).toEqual([
      "2025-03-01",
    ]);
    // A week across two months feeds both.
    const week = IntervalSet.single(idx(weekly, "2025-03-31"));
    expect(partitionKeys(monthly, downstreamPartitionsFor(m0, week, monthly, now, weekly))).toEqual(
      ["2025-03-01", "2025-04-01"],
    );
    expect(upstreamPartitionsFor(m0, feb, hourly, now, monthly).size).toBe(28 * 24);
  });

  it("shift by upstream periods: a day reading the hour before it and its own", () => {
    const m = timeWindowMapping({ startOffset: -1, endOffset: 0 });
    const up = upstreamPartitionsFor(
      m,
      IntervalSet.single(idx(daily, "2025-07-14")),
      hourly,
      now,
      daily,
    );
    expect(partitionKey(hourly, up.first!)).toBe("2025-07-13-23:00");
    expect(up.size).toBe(25);
  });

  it("up and down are inverse relations across grains", () => {
    const mappings: PartitionMapping[] = [
      m0,
      timeWindowMapping({ offset: -1 }),
      timeWindowMapping({ startOffset: -2, endOffset: 1 }),
    ];
    const pairs = [
      [daily, hourly],
      [hourly, daily],
      [monthly, daily],
      [daily, weekly],
      [weekly, monthly],
    ] as const;
    expectInverseMappings({ pairs, mappings, now, skip: 5, span: 3, margin: 3 });
  });
});

describe("checks when defined", () => {
  it("refuses an end offset or window offsets that are not bounded integers", () => {
    expectInvalid(() => dailyPartitions({ start: "2025-01-01", endOffset: 1e9 }), "endOffset");
    expectInvalid(() => dailyPartitions({ start: "2025-01-01", endOffset: 0.5 }), "endOffset");
    expectInvalid(() => timeWindowMapping({ offset: 0.5 }), "Offset must be an integer");
    expectInvalid(
      () => timeWindowMapping({ startOffset: -1e9, endOffset: 0 }),
      "startOffset must be an integer",
    );
    expectInvalid(() => timeWindowMapping({ offset: Number.NaN }), "NaN");
    expect(
      mappingProblem({ kind: "time-window", startOffset: 0, endOffset: Infinity }, daily, daily),
    ).toMatch(/endOffset must be an integer/);
  });

  it("starts hourly partitions at the local day's first instant when midnight is skipped", () => {
    // Clocks went from 00:00 to 01:00 in Santiago on 2024-09-08.
    const h = hourlyPartitions({ start: "2024-09-08", timezone: "America/Santiago" });
    expect(partitionKey(h, partitionBounds(h, now).first)).toBe("2024-09-08-01:00");
  });

  it("starts a day at its first midnight when midnight happens twice", () => {
    // Havana went back from 01:00 to 00:00 on 2024-11-03: its midnight happened twice.
    const h = hourlyPartitions({ start: "2024-11-03", timezone: "America/Havana" });
    expect(partitionKey(h, partitionBounds(h, now).first)).toBe("2024-11-03-00:00-04:00");
    const d = dailyPartitions({ start: "2024-11-01", timezone: "America/Havana" });
    const window = partitionTimeWindow(d, idx(d, "2024-11-03"));
    expect(window.start).toEqual(new Date("2024-11-03T04:00:00Z"));
    expect(hours(window)).toBe(25);
  });

  it("refuses a zone whose offset was not whole hours at some time since the start", () => {
    // Caracas was UTC-4:30 from 2007-12-09 to 2016-05-01.
    expectInvalid(
      () => hourlyPartitions({ start: "2005-01-01", timezone: "America/Caracas" }),
      "whole number of hours",
    );
    const h = hourlyPartitions({ start: "2017-01-01", timezone: "America/Caracas" });
    expect(partitionKey(h, partitionBounds(h, now).first)).toBe("2017-01-01-00:00");
  });
});
