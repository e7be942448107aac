import { describe, expect, it } from "vitest";
import { parseDateKey } from "./calendar";
import {
  allPartitions,
  dailyPartitions,
  partitionIndex,
  partitionKeys,
  staticPartitions,
  weeklyPartitions,
} from "./definition";
import { IntervalSet } from "./interval-set";
import {
  allPartitionsMapping,
  defaultMapping,
  downstreamPartitionsFor,
  identityMapping,
  mappingProblem,
  timeWindowMapping,
  UNPARTITIONED,
  upstreamPartitionsFor,
  wholeAsset,
  type PartitionMapping,
} from "./mapping";

function day(key: string): number {
  const d = parseDateKey(key);
  if (d === undefined) throw new Error(`test setup: ${key} is not a date`);
  return d;
}

const days = (...keys: string[]): IntervalSet => IntervalSet.fromIndices(keys.map(day));

const now = new Date("2024-09-01T12:00:00Z"); // Paris: last complete day 2024-08-31
const daily = dailyPartitions({ start: "2024-05-23", timezone: "Europe/Paris" });
const dailyUtc = dailyPartitions({ start: "2024-05-23", timezone: "UTC" });
const countries = staticPartitions(["fr", "de", "it"]);

describe("mapping constructors", () => {
  it("builds the three kinds", () => {
    expect(identityMapping()).toEqual({ kind: "identity" });
    expect(allPartitionsMapping()).toEqual({ kind: "all" });
    expect(timeWindowMapping({ offset: -1 })).toEqual({
      kind: "time-window",
      startOffset: -1,
      endOffset: -1,
    });
    expect(timeWindowMapping({ startOffset: -2, endOffset: 0 })).toEqual({
      kind: "time-window",
      startOffset: -2,
      endOffset: 0,
    });
  });
});

describe("wholeAsset", () => {
  it("is every existing partition, or the single unpartitioned index", () => {
    expect(wholeAsset(daily, now).equals(allPartitions(daily, now))).toBe(true);
    expect(wholeAsset(daily, now).size).toBe(101);
    expect(wholeAsset(undefined, now).toJSON()).toEqual([[0, 1]]);
    expect(UNPARTITIONED.toJSON()).toEqual([[0, 1]]);
  });
});

describe("identity mapping", () => {
  const m = identityMapping();

  it("maps each partition to the same partition both ways", () => {
    const subset = days("2024-06-01", "2024-06-02", "2024-07-14");
    expect(upstreamPartitionsFor(m, subset, daily, now, daily).equals(subset)).toBe(true);
    expect(downstreamPartitionsFor(m, subset, daily, now, daily).equals(subset)).toBe(true);
  });

  it("maps nothing to nothing", () => {
    expect(upstreamPartitionsFor(m, IntervalSet.EMPTY, daily, now, daily).isEmpty).toBe(true);
    expect(downstreamPartitionsFor(m, IntervalSet.EMPTY, daily, now, daily).isEmpty).toBe(true);
  });
});

describe("all-partitions mapping", () => {
  const m = allPartitionsMapping();

  it("makes any downstream partition read every upstream partition", () => {
    const up = upstreamPartitionsFor(m, days("2024-06-01"), daily, now, daily);
    expect(up.equals(allPartitions(daily, now))).toBe(true);
    // An unpartitioned downstream (index 0) reads all 101 daily partitions.
    expect(upstreamPartitionsFor(m, UNPARTITIONED, daily, now, daily).size).toBe(101);
    // A daily downstream reads the single partition of an unpartitioned upstream.
    expect(
      upstreamPartitionsFor(m, days("2024-06-01"), undefined, now, undefined).toJSON(),
    ).toEqual([[0, 1]]);
  });

  it("makes any upstream partition feed every downstream partition", () => {
    expect(
      downstreamPartitionsFor(m, days("2024-06-01"), undefined, now, undefined).toJSON(),
    ).toEqual([[0, 1]]);
    expect(downstreamPartitionsFor(m, UNPARTITIONED, daily, now, daily).size).toBe(101);
  });

  it("maps nothing to nothing", () => {
    expect(upstreamPartitionsFor(m, IntervalSet.EMPTY, daily, now, daily).isEmpty).toBe(true);
    expect(downstreamPartitionsFor(m, IntervalSet.EMPTY, undefined, now, undefined).isEmpty).toBe(
      true,
    );
  });
});

describe("time-window mapping", () => {
  it("offset -1: day d reads day d-1, and day u feeds day u+1", () => {
    const m = timeWindowMapping({ offset: -1 });
    expect(
      upstreamPartitionsFor(m, days("2024-06-10"), daily, now, daily).equals(days("2024-06-09")),
    ).toBe(true);
    expect(
      downstreamPartitionsFor(m, days("2024-06-09"), daily, now, daily).equals(days("2024-06-10")),
    ).toBe(true);
    // Across a month end, for a range.
    const up = upstreamPartitionsFor(m, days("2024-07-01", "2024-07-02"), daily, now, daily);
    expect(up.equals(days("2024-06-30", "2024-07-01"))).toBe(true);
  });

  it("window -2…0: day d reads d-2, d-1 and d; day u feeds u, u+1 and u+2", () => {
    const m = timeWindowMapping({ startOffset: -2, endOffset: 0 });
    expect(
      upstreamPartitionsFor(m, days("2024-06-10"), daily, now, daily).equals(
        days("2024-06-08", "2024-06-09", "2024-06-10"),
      ),
    ).toBe(true);
    expect(
      downstreamPartitionsFor(m, days("2024-06-08"), daily, now, daily).equals(
        days("2024-06-08", "2024-06-09", "2024-06-10"),
      ),
    ).toBe(true);
    // Windows of separate days merge; a gap of more than the window stays a gap.
    const up = upstreamPartitionsFor(
      m,
      days("2024-06-10", "2024-06-11", "2024-06-20"),
      daily,
      now,
      daily,
    );
    expect(
      up.equals(
        days(
          "2024-06-08",
          "2024-06-09",
          "2024-06-10",
          "2024-06-11",
          "2024-06-18",
          "2024-06-19",
          "2024-06-20",
        ),
      ),
    ).toBe(true);
  });

  it("up and down are inverse relations", () => {
    // Brute force over a small window: u is upstream of d iff d is downstream of u.
    const mappings: PartitionMapping[] = [
      timeWindowMapping({ offset: -1 }),
      timeWindowMapping({ startOffset: -2, endOffset: 0 }),
      timeWindowMapping({ startOffset: -1, endOffset: 1 }),
    ];
    const base = day("2024-06-10");
    for (const m of mappings) {
      for (let d = base; d < base + 5; d++) {
        for (let u = base - 4; u < base + 9; u++) {
          const upOfD = upstreamPartitionsFor(m, IntervalSet.single(d), daily, now, daily).has(u);
          const downOfU = downstreamPartitionsFor(m, IntervalSet.single(u), daily, now, daily).has(
            d,
          );
          expect(downOfU, `${JSON.stringify(m)} d=${d} u=${u}`).toBe(upOfD);
        }
      }
    }
  });
});

describe("consistency of up and down", () => {
  const cases: [string, PartitionMapping][] = [
    ["identity", identityMapping()],
    ["all", allPartitionsMapping()],
    ["offset -1", timeWindowMapping({ offset: -1 })],
    ["window -2…0", timeWindowMapping({ startOffset: -2, endOffset: 0 })],
  ];

  it.each(cases)("%s: the downstream of the upstream of D contains D", (_name, m) => {
    const downstream = days("2024-06-10", "2024-06-11", "2024-07-01");
    const up = upstreamPartitionsFor(m, downstream, daily, now, daily);
    const back = downstreamPartitionsFor(m, up, daily, now, daily);
    expect(downstream.subtract(back).isEmpty).toBe(true);
  });

  it.each(cases)("%s: the upstream of the downstream of U contains U", (_name, m) => {
    const upstream = days("2024-06-10", "2024-06-11", "2024-07-01");
    const down = downstreamPartitionsFor(m, upstream, daily, now, daily);
    const back = upstreamPartitionsFor(m, down, daily, now, daily);
    expect(upstream.subtract(back).isEmpty).toBe(true);
  });
});

describe("mappingProblem", () => {
  it("accepts identity between matching definitions", () => {
    expect(mappingProblem(identityMapping(), daily, daily)).toBeUndefined();
    expect(
      mappingProblem(identityMapping(), daily, dailyPartitions({ start: "2020-01-01" })),
    ).toBeUndefined();
    expect(
      mappingProblem(identityMapping(), countries, staticPartitions(["fr", "de", "it"])),
    ).toBeUndefined();
    expect(mappingProblem(identityMapping(), undefined, undefined)).toBeUndefined();
  });

  it("rejects identity between daily and static partitions", () => {
    expect(mappingProblem(identityMapping(), daily, countries)).toBe(
      "identity mapping between daily and static partitions",
    );
    expect(mappingProblem(identityMapping(), countries, daily)).toBe(
      "identity mapping between static and daily partitions",
    );
  });

  it("rejects identity between daily partitions in different timezones", () => {
    expect(mappingProblem(identityMapping(), daily, dailyUtc)).toBe(
      "identity mapping between daily partitions in Europe/Paris and UTC",
    );
  });

  it("rejects identity between static partitions with different keys or order", () => {
    expect(mappingProblem(identityMapping(), countries, staticPartitions(["fr", "de"]))).toContain(
      "different keys",
    );
    expect(
      mappingProblem(identityMapping(), countries, staticPartitions(["de", "fr", "it"])),
    ).toContain("different keys");
  });

  it("rejects identity when only one side is partitioned", () => {
    expect(mappingProblem(identityMapping(), daily, undefined)).toBe(
      "identity mapping needs both assets partitioned",
    );
    expect(mappingProblem(identityMapping(), undefined, countries)).toBe(
      "identity mapping needs both assets partitioned",
    );
  });

  it("accepts the all mapping between anything", () => {
    for (const up of [daily, countries, undefined]) {
      for (const down of [dailyUtc, countries, undefined]) {
        expect(mappingProblem(allPartitionsMapping(), up, down)).toBeUndefined();
      }
    }
  });

  it("accepts time-window only between time partitions", () => {
    const m = timeWindowMapping({ offset: -1 });
    expect(mappingProblem(m, daily, daily)).toBeUndefined();
    const needsDaily =
      "time-window mapping needs time partitions (hourly, daily, weekly or monthly) on both sides";
    expect(mappingProblem(m, countries, daily)).toBe(needsDaily);
    expect(mappingProblem(m, daily, countries)).toBe(needsDaily);
    expect(mappingProblem(m, countries, countries)).toBe(needsDaily);
    expect(mappingProblem(m, undefined, daily)).toBe(needsDaily);
    expect(mappingProblem(m, daily, undefined)).toBe(needsDaily);
    expect(mappingProblem(m, undefined, undefined)).toBe(needsDaily);
    expect(mappingProblem(m, daily, dailyUtc)).toBeUndefined();
  });

  it("maps one grain across timezones and first weekdays by instants", () => {
    const m = timeWindowMapping({ offset: 0 });
    // A UTC day overlaps two Paris days: its own (from 01:00 or 02:00 UTC) and the next.
    expect(defaultMapping(daily, dailyUtc)).toEqual(m);
    const up = upstreamPartitionsFor(m, days("2024-08-10"), daily, now, dailyUtc);
    expect(up.equals(days("2024-08-10", "2024-08-11"))).toBe(true);
    const down = downstreamPartitionsFor(m, days("2024-08-11"), dailyUtc, now, daily);
    expect(down.equals(days("2024-08-10", "2024-08-11"))).toBe(true);
    const mondays = weeklyPartitions({ start: "2024-07-29", timezone: "UTC" });
    const sundays = weeklyPartitions({ start: "2024-07-28", timezone: "UTC", weekStartsOn: 7 });
    expect(mappingProblem(defaultMapping(mondays, sundays), mondays, sundays)).toBeUndefined();
    // The week from Sunday 2024-08-04 reads the weeks from Monday 2024-07-29 and 2024-08-05.
    const sundayWeek = partitionIndex(sundays, "2024-08-04", now);
    expect(
      partitionKeys(
        mondays,
        upstreamPartitionsFor(m, IntervalSet.single(sundayWeek), mondays, now, sundays),
      ),
    ).toEqual(["2024-07-29", "2024-08-05"]);
  });

  it("rejects a reversed time window", () => {
    expect(mappingProblem(timeWindowMapping({ startOffset: 0, endOffset: -1 }), daily, daily)).toBe(
      "time-window mapping: startOffset > endOffset",
    );
  });
});

describe("defaultMapping", () => {
  it("is identity between partitions of the same kind", () => {
    expect(defaultMapping(daily, daily)).toEqual({ kind: "identity" });
    expect(defaultMapping(countries, countries)).toEqual({ kind: "identity" });
  });

  it("is all when either side is unpartitioned or the kinds differ", () => {
    expect(defaultMapping(daily, undefined)).toEqual({ kind: "all" });
    expect(defaultMapping(undefined, daily)).toEqual({ kind: "all" });
    expect(defaultMapping(undefined, undefined)).toEqual({ kind: "all" });
    expect(defaultMapping(daily, countries)).toEqual({ kind: "all" });
    expect(defaultMapping(countries, daily)).toEqual({ kind: "all" });
  });

  it("is valid for every pair except same-kind definitions that do not line up", () => {
    expect(mappingProblem(defaultMapping(daily, countries), daily, countries)).toBeUndefined();
    expect(mappingProblem(defaultMapping(undefined, daily), undefined, daily)).toBeUndefined();
    // Daily partitions in two timezones get a time window, compared as instants.
    expect(mappingProblem(defaultMapping(daily, dailyUtc), daily, dailyUtc)).toBeUndefined();
    expect(mappingProblem(identityMapping(), daily, dailyUtc)).toBeDefined();
  });
});
