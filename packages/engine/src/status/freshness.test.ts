import { describe, expect, it } from "vitest";
import type { FreshnessPolicy } from "../definitions/freshness-policy";
import { parseDateKey } from "../partitions/calendar";
import { dailyPartitions } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import { evaluateFreshness, type FreshnessFacts } from "./freshness";

const J1_BY_7: FreshnessPolicy = {
  kind: "deadline",
  deadline: "0 7 * * *",
  timezone: "Europe/Paris",
};
const daily = dailyPartitions({ start: "2024-08-01" });
const at = (iso: string): Date => new Date(iso);
const day = (key: string): number => parseDateKey(key)!;

/** Facts with these days materialised (inclusive ranges of keys). */
function done(...ranges: [string, string][]): FreshnessFacts {
  return {
    materialized: IntervalSet.fromRanges(ranges.map(([a, b]) => [day(a), day(b) + 1])),
    lastMaterializedAt: ranges.length > 0 ? at("2024-08-01T00:00:00Z") : undefined,
  };
}

const evaluate = (facts: FreshnessFacts, now: string, partitions = daily) =>
  evaluateFreshness(J1_BY_7, partitions, facts, at(now));

describe("a daily asset due J-1 by 07:00 Paris", () => {
  it("is fresh when yesterday's partition is there after the deadline", () => {
    // 2024-08-05 07:30 CEST
    expect(evaluate(done(["2024-08-01", "2024-08-04"]), "2024-08-05T05:30:00Z")).toEqual({
      state: "fresh",
      lagSeconds: 0,
      deadline: at("2024-08-05T05:00:00Z"),
    });
  });

  it("is overdue from the deadline instant, not a millisecond before", () => {
    const facts = done(["2024-08-01", "2024-08-03"]);
    // 06:59:59.999 CEST: yesterday's deadline applies, and expected 2024-08-03, which is there.
    expect(evaluate(facts, "2024-08-05T04:59:59.999Z").state).toBe("fresh");
    expect(evaluate(facts, "2024-08-05T05:00:00Z")).toEqual({
      state: "overdue",
      since: at("2024-08-05T05:00:00Z"),
      partitionKey: "2024-08-04",
      missing: 1,
      lagSeconds: 0,
      deadline: at("2024-08-05T05:00:00Z"),
    });
    const later = evaluate(facts, "2024-08-05T08:00:00Z");
    expect(later).toMatchObject({ state: "overdue", lagSeconds: 3 * 3600 });
  });

  it("before today's deadline, the previous deadline applies", () => {
    // 2024-08-05 03:00 CEST: J-2 (2024-08-03) must be there since 2024-08-04 07:00.
    expect(evaluate(done(["2024-08-01", "2024-08-03"]), "2024-08-05T01:00:00Z")).toMatchObject({
      state: "fresh",
      deadline: at("2024-08-04T05:00:00Z"),
    });
    expect(evaluate(done(["2024-08-01", "2024-08-02"]), "2024-08-05T01:00:00Z")).toMatchObject({
      state: "overdue",
      since: at("2024-08-04T05:00:00Z"),
      partitionKey: "2024-08-03",
    });
  });

  it("stays overdue since the oldest deadline of an unbroken run of missing partitions", () => {
    expect(evaluate(done(["2024-08-01", "2024-08-02"]), "2024-08-06T10:00:00Z")).toMatchObject({
      state: "overdue",
      since: at("2024-08-04T05:00:00Z"),
      partitionKey: "2024-08-03",
      missing: 3,
      lagSeconds: 2 * 86_400 + 5 * 3600,
    });
  });

  it("ignores older gaps once the expected partition is there", () => {
    expect(
      evaluate(
        done(["2024-08-01", "2024-08-01"], ["2024-08-04", "2024-08-04"]),
        "2024-08-05T06:00:00Z",
      ).state,
    ).toBe("fresh");
  });

  it("a partition materialised after its deadline makes it fresh from then on", () => {
    const now = "2024-08-05T09:00:00Z";
    expect(evaluate(done(["2024-08-01", "2024-08-03"]), now).state).toBe("overdue");
    expect(evaluate(done(["2024-08-01", "2024-08-04"]), now).state).toBe("fresh");
  });

  it("never materialised: overdue since the first deadline after its first partition ended", () => {
    expect(evaluate(done(), "2024-08-03T06:00:00Z")).toMatchObject({
      state: "overdue",
      since: at("2024-08-02T05:00:00Z"),
      partitionKey: "2024-08-01",
      missing: 2,
    });
  });

  it("nothing is due before the first deadline after the start", () => {
    expect(evaluate(done(), "2024-08-02T04:59:00Z")).toEqual({
      state: "fresh",
      lagSeconds: 0,
      deadline: at("2024-08-01T05:00:00Z"),
    });
    expect(evaluate(done(), "2024-07-01T12:00:00Z").state).toBe("fresh");
  });

  it("counts the 23-hour day (2025-03-30): 07:00 CEST is 05:00Z", () => {
    const p = dailyPartitions({ start: "2025-03-01" });
    const facts = done(["2025-03-01", "2025-03-28"]);
    // 2025-03-30 06:59 CEST: the deadline of the 29th (07:00 CET = 06:00Z) applies: 2025-03-28.
    expect(evaluate(facts, "2025-03-30T04:59:00Z", p)).toMatchObject({
      state: "fresh",
      deadline: at("2025-03-29T06:00:00Z"),
    });
    expect(evaluate(facts, "2025-03-30T05:00:00Z", p)).toMatchObject({
      state: "overdue",
      since: at("2025-03-30T05:00:00Z"),
      partitionKey: "2025-03-29",
    });
  });

  it("counts the 25-hour day (2024-10-27): 07:00 CET is 06:00Z", () => {
    const p = dailyPartitions({ start: "2024-10-01" });
    const facts = done(["2024-10-01", "2024-10-25"]);
    expect(evaluate(facts, "2024-10-27T05:30:00Z", p).state).toBe("fresh");
    expect(evaluate(facts, "2024-10-27T06:00:00Z", p)).toMatchObject({
      state: "overdue",
      since: at("2024-10-27T06:00:00Z"),
      partitionKey: "2024-10-26",
    });
    // Missing since the 26th (07:00 CEST = 05:00Z), across the change.
    expect(evaluate(done(["2024-10-01", "2024-10-24"]), "2024-10-27T12:00:00Z", p)).toMatchObject({
      state: "overdue",
      since: at("2024-10-26T05:00:00Z"),
      partitionKey: "2024-10-25",
      missing: 2,
      lagSeconds: 31 * 3600,
    });
  });

  it("a deadline in the DST gap (02:30 on 2025-03-30) falls at 03:00 CEST", () => {
    const policy: FreshnessPolicy = { ...J1_BY_7, deadline: "30 2 * * *" };
    const p = dailyPartitions({ start: "2025-03-01" });
    expect(
      evaluateFreshness(policy, p, done(["2025-03-01", "2025-03-28"]), at("2025-03-30T01:00:00Z")),
    ).toMatchObject({
      state: "overdue",
      since: at("2025-03-30T01:00:00Z"),
      partitionKey: "2025-03-29",
    });
  });

  it("reads the deadline in its own timezone, the partitions in theirs", () => {
    const utcDays = dailyPartitions({ start: "2024-08-01", timezone: "UTC" });
    const policy: FreshnessPolicy = {
      kind: "deadline",
      deadline: "0 1 * * *",
      timezone: "America/New_York",
    };
    // 01:00 in New York = 05:00Z on 2024-08-05: the UTC day before is 2024-08-04.
    expect(
      evaluateFreshness(
        policy,
        utcDays,
        done(["2024-08-01", "2024-08-03"]),
        at("2024-08-05T05:00:00Z"),
      ),
    ).toMatchObject({ state: "overdue", partitionKey: "2024-08-04" });
  });
});

describe("an unpartitioned asset at most 2h old", () => {
  const policy: FreshnessPolicy = { kind: "max-lag", maxLagMs: 7_200_000, maxLag: "2h" };
  const last = (iso: string): FreshnessFacts => ({
    materialized: IntervalSet.EMPTY,
    lastMaterializedAt: at(iso),
  });

  it("is fresh up to exactly maxLag, then overdue since the latest materialisation + maxLag", () => {
    const facts = last("2024-08-05T10:00:00Z");
    expect(evaluateFreshness(policy, undefined, facts, at("2024-08-05T12:00:00Z"))).toEqual({
      state: "fresh",
      lagSeconds: 7200,
    });
    expect(evaluateFreshness(policy, undefined, facts, at("2024-08-05T12:30:00Z"))).toEqual({
      state: "overdue",
      since: at("2024-08-05T12:00:00Z"),
      lagSeconds: 9000,
    });
  });

  it("never materialised: overdue, since unknown", () => {
    expect(
      evaluateFreshness(
        policy,
        undefined,
        { materialized: IntervalSet.EMPTY, lastMaterializedAt: undefined },
        at("2024-08-05T12:00:00Z"),
      ),
    ).toEqual({ state: "overdue", since: null, lagSeconds: null });
  });
});
