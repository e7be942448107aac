import { describe, expect, it } from "vitest";
import { InvalidPartitionError } from "../errors";
import { parseDateKey } from "./calendar";
import {
  allPartitions,
  dailyPartitions,
  DEFAULT_TIMEZONE,
  describePartitions,
  partitionBounds,
  partitionIndex,
  partitionKey,
  partitionKeys,
  partitionsFingerprint,
  partitionTimeWindow,
  staticPartitions,
} from "./definition";
import { IntervalSet } from "./interval-set";

function day(key: string): number {
  const d = parseDateKey(key);
  if (d === undefined) throw new Error(`test setup: ${key} is not a date`);
  return d;
}

/** The error `fn` throws; fails the test when it throws nothing. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

function expectInvalidPartition(fn: () => unknown, ...fragments: string[]): void {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(InvalidPartitionError);
  const e = error as InvalidPartitionError;
  expect(e.code).toBe("INVALID_PARTITION");
  for (const fragment of fragments) expect(e.message).toContain(fragment);
}

const HOUR = 3_600_000;

describe("dailyPartitions", () => {
  it("defaults to Europe/Paris and endOffset 0", () => {
    const def = dailyPartitions({ start: "2024-05-23" });
    expect(def).toEqual({
      kind: "daily",
      start: "2024-05-23",
      startDay: day("2024-05-23"),
      timezone: "Europe/Paris",
      endOffset: 0,
    });
    expect(DEFAULT_TIMEZONE).toBe("Europe/Paris");
  });

  it("keeps an explicit timezone and endOffset", () => {
    const def = dailyPartitions({ start: "2024-05-23", timezone: "UTC", endOffset: 1 });
    expect(def.timezone).toBe("UTC");
    expect(def.endOffset).toBe(1);
  });

  it.each(["2024-02-30", "2023-02-29", "2024-13-01", "2024-1-01", "abc"])(
    "rejects the start date %j",
    (start) => {
      expectInvalidPartition(() => dailyPartitions({ start }), `"${start}"`);
    },
  );

  it("rejects an unknown timezone", () => {
    expectInvalidPartition(
      () => dailyPartitions({ start: "2024-05-23", timezone: "Europe/Atlantis" }),
      "unknown timezone",
      "Europe/Atlantis",
    );
  });

  it.each(["local", "system", "UTC+2", ""])(
    "rejects the host-dependent or malformed timezone %j",
    (tz) => {
      expectInvalidPartition(
        () => dailyPartitions({ start: "2024-05-23", timezone: tz }),
        "unknown timezone",
      );
    },
  );

  it("rejects a non-integer endOffset", () => {
    expectInvalidPartition(
      () => dailyPartitions({ start: "2024-05-23", endOffset: 0.5 }),
      "endOffset",
    );
  });
});

describe("staticPartitions", () => {
  it("keeps the keys in order and copies the input", () => {
    const keys = ["fr", "de", "it"];
    const def = staticPartitions(keys);
    keys.push("es");
    expect(def).toEqual({ kind: "static", keys: ["fr", "de", "it"] });
  });

  it("rejects duplicates, naming the duplicate", () => {
    expectInvalidPartition(() => staticPartitions(["fr", "de", "fr"]), "duplicate", `"fr"`);
  });

  it("rejects an empty list and empty keys", () => {
    expectInvalidPartition(() => staticPartitions([]), "no keys");
    expectInvalidPartition(() => staticPartitions(["fr", ""]), "empty key");
  });
});

describe("partitionTimeWindow (daily, Europe/Paris)", () => {
  const paris = dailyPartitions({ start: "2024-01-01", timezone: "Europe/Paris" });

  it("makes the day summer time ends 25 hours long", () => {
    const w = partitionTimeWindow(paris, day("2024-10-27"));
    expect(w.start.toISOString()).toBe("2024-10-26T22:00:00.000Z");
    expect(w.end.toISOString()).toBe("2024-10-27T23:00:00.000Z");
    expect(w.end.getTime() - w.start.getTime()).toBe(25 * HOUR);
  });

  it("makes the day summer time starts 23 hours long", () => {
    const w = partitionTimeWindow(paris, day("2025-03-30"));
    expect(w.start.toISOString()).toBe("2025-03-29T23:00:00.000Z");
    expect(w.end.toISOString()).toBe("2025-03-30T22:00:00.000Z");
    expect(w.end.getTime() - w.start.getTime()).toBe(23 * HOUR);
  });

  it("makes an ordinary day 24 hours long, in summer and in winter", () => {
    const summer = partitionTimeWindow(paris, day("2024-06-15"));
    expect(summer.start.toISOString()).toBe("2024-06-14T22:00:00.000Z");
    expect(summer.end.toISOString()).toBe("2024-06-15T22:00:00.000Z");
    const winter = partitionTimeWindow(paris, day("2024-12-15"));
    expect(winter.start.toISOString()).toBe("2024-12-14T23:00:00.000Z");
    expect(winter.end.getTime() - winter.start.getTime()).toBe(24 * HOUR);
  });

  it("tiles time: each day ends where the next one starts", () => {
    for (let d = day("2024-10-20"); d < day("2024-11-03"); d++) {
      expect(partitionTimeWindow(paris, d).end.getTime()).toBe(
        partitionTimeWindow(paris, d + 1).start.getTime(),
      );
    }
  });

  it("is always 24 hours in UTC", () => {
    const utc = dailyPartitions({ start: "2024-01-01", timezone: "UTC" });
    const w = partitionTimeWindow(utc, day("2024-10-27"));
    expect(w.start.toISOString()).toBe("2024-10-27T00:00:00.000Z");
    expect(w.end.toISOString()).toBe("2024-10-28T00:00:00.000Z");
  });
});

describe("partitionBounds", () => {
  const start = "2024-05-23";

  it("ends with the last complete day in the timezone (endOffset 0)", () => {
    const def = dailyPartitions({ start });
    // 23:30 UTC on Oct 27 is already 00:30 on Oct 28 in Paris: Oct 27 is complete.
    expect(partitionBounds(def, new Date("2024-10-27T23:30:00Z"))).toEqual({
      first: day(start),
      last: day("2024-10-27"),
    });
    // 22:30 UTC on Oct 27 is 23:30 on Oct 27 in Paris (CET): Oct 27 is still in progress.
    expect(partitionBounds(def, new Date("2024-10-27T22:30:00Z")).last).toBe(day("2024-10-26"));
  });

  it("includes the day in progress with endOffset 1", () => {
    const def = dailyPartitions({ start, endOffset: 1 });
    expect(partitionBounds(def, new Date("2024-10-27T23:30:00Z")).last).toBe(day("2024-10-28"));
    expect(partitionBounds(def, new Date("2024-10-27T22:30:00Z")).last).toBe(day("2024-10-27"));
  });

  it("depends on the timezone around midnight", () => {
    const paris = dailyPartitions({ start, timezone: "Europe/Paris" });
    const utc = dailyPartitions({ start, timezone: "UTC" });
    // 22:30 UTC on June 14 is 00:30 on June 15 in Paris (CEST, UTC+2).
    const now = new Date("2024-06-14T22:30:00Z");
    expect(partitionBounds(paris, now).last).toBe(day("2024-06-14"));
    expect(partitionBounds(utc, now).last).toBe(day("2024-06-13"));
    // Two hours later both agree that June 15 has started.
    const later = new Date("2024-06-15T00:30:00Z");
    expect(partitionBounds(paris, later).last).toBe(day("2024-06-14"));
    expect(partitionBounds(utc, later).last).toBe(day("2024-06-14"));
  });

  it("is empty (last < first) before the first day is complete", () => {
    const def = dailyPartitions({ start: "2024-09-01" });
    const now = new Date("2024-09-01T12:00:00Z");
    const { first, last } = partitionBounds(def, now);
    expect(last).toBeLessThan(first);
    expect(allPartitions(def, now).isEmpty).toBe(true);
  });

  it("covers every static key", () => {
    expect(partitionBounds(staticPartitions(["a", "b", "c"]), new Date())).toEqual({
      first: 0,
      last: 2,
    });
  });
});

describe("allPartitions", () => {
  it("counts the days from start to the last complete day", () => {
    const def = dailyPartitions({ start: "2024-05-23" });
    // Paris is on Sept 1st: May 23…31 (9) + June (30) + July (31) + August (31) = 101 days.
    const all = allPartitions(def, new Date("2024-09-01T12:00:00Z"));
    expect(all.size).toBe(101);
    expect(all.first).toBe(day("2024-05-23"));
    expect(all.last).toBe(day("2024-08-31"));
  });

  it("is every static index", () => {
    expect(allPartitions(staticPartitions(["a", "b", "c"]), new Date()).toJSON()).toEqual([[0, 3]]);
  });
});

describe("partitionIndex", () => {
  const def = dailyPartitions({ start: "2024-05-23" });
  const now = new Date("2024-09-01T12:00:00Z"); // last partition: 2024-08-31

  it("maps a daily key to its epoch day, independent of the start date", () => {
    expect(partitionIndex(def, "2024-05-23", now)).toBe(day("2024-05-23"));
    expect(partitionIndex(def, "2024-08-31", now)).toBe(day("2024-08-31"));
    const later = dailyPartitions({ start: "2024-07-01" });
    expect(partitionIndex(later, "2024-08-31", now)).toBe(partitionIndex(def, "2024-08-31", now));
  });

  it.each(["2024-02-30", "2024-8-01", "20240801", "yesterday"])(
    "rejects the malformed key %j",
    (key) => {
      expectInvalidPartition(() => partitionIndex(def, key, now), `"${key}"`, "not a valid");
    },
  );

  it("rejects keys before the start", () => {
    expectInvalidPartition(
      () => partitionIndex(def, "2024-05-22", now),
      `"2024-05-22"`,
      "out of range",
      "2024-05-23 to 2024-08-31",
    );
  });

  it("rejects keys after the last partition (today is not complete)", () => {
    expectInvalidPartition(
      () => partitionIndex(def, "2024-09-01", now),
      `"2024-09-01"`,
      "out of range",
    );
    expectInvalidPartition(() => partitionIndex(def, "2030-01-01", now), `"2030-01-01"`);
    const withToday = dailyPartitions({ start: "2024-05-23", endOffset: 1 });
    expect(partitionIndex(withToday, "2024-09-01", now)).toBe(day("2024-09-01"));
    expectInvalidPartition(() => partitionIndex(withToday, "2024-09-02", now), `"2024-09-02"`);
  });

  it("says when no partition exists yet", () => {
    const future = dailyPartitions({ start: "2025-01-01" });
    expectInvalidPartition(() => partitionIndex(future, "2025-01-01", now), "(none yet)");
  });

  it("accepts only the listed static keys", () => {
    const countries = staticPartitions(["fr", "de", "it"]);
    expect(partitionIndex(countries, "fr", now)).toBe(0);
    expect(partitionIndex(countries, "it", now)).toBe(2);
    expectInvalidPartition(() => partitionIndex(countries, "es", now), `"es"`, "fr, de, it");
    expectInvalidPartition(() => partitionIndex(countries, "FR", now), `"FR"`);
    expectInvalidPartition(() => partitionIndex(countries, "2024-08-01", now), `"2024-08-01"`);
  });
});

describe("partitionKey / partitionKeys", () => {
  it("maps indices back to keys", () => {
    const def = dailyPartitions({ start: "2024-05-23" });
    expect(partitionKey(def, day("2024-02-29"))).toBe("2024-02-29");
    const subset = IntervalSet.fromIndices([
      day("2024-08-30"),
      day("2024-08-31"),
      day("2024-06-01"),
    ]);
    expect(partitionKeys(def, subset)).toEqual(["2024-06-01", "2024-08-30", "2024-08-31"]);
  });

  it("maps static indices to keys and rejects unknown indices", () => {
    const def = staticPartitions(["fr", "de", "it"]);
    expect(partitionKeys(def, IntervalSet.fromIndices([2, 0]))).toEqual(["fr", "it"]);
    expectInvalidPartition(() => partitionKey(def, 3), "index 3");
  });
});

describe("partitionsFingerprint / describePartitions", () => {
  it("changes when the meaning of indices changes, not when the start moves", () => {
    const a = dailyPartitions({ start: "2024-05-23" });
    const b = dailyPartitions({ start: "2023-01-01" });
    const utc = dailyPartitions({ start: "2024-05-23", timezone: "UTC" });
    expect(partitionsFingerprint(a)).toBe(partitionsFingerprint(b));
    expect(partitionsFingerprint(a)).not.toBe(partitionsFingerprint(utc));
    expect(partitionsFingerprint(staticPartitions(["a", "b"]))).not.toBe(
      partitionsFingerprint(staticPartitions(["b", "a"])),
    );
    // Joining keys with a separator that keys cannot be confused with.
    expect(partitionsFingerprint(staticPartitions(["ab", "c"]))).not.toBe(
      partitionsFingerprint(staticPartitions(["a", "bc"])),
    );
    expect(partitionsFingerprint(undefined)).toBe("unpartitioned");
  });

  it("describes definitions for humans", () => {
    expect(describePartitions(undefined)).toBe("unpartitioned");
    expect(describePartitions(staticPartitions(["a", "b"]))).toBe("static (2 keys)");
    expect(describePartitions(dailyPartitions({ start: "2024-05-23" }))).toBe(
      "daily from 2024-05-23 (Europe/Paris)",
    );
  });
});
