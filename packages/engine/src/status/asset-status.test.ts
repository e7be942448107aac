import { describe, expect, it } from "vitest";
import { defineAsset, type AssetOptions } from "../definitions/asset";
import { Definitions } from "../definitions/definitions";
import { buildExampleDefinitions, type ExampleOverrides } from "../examples/example-definitions";
import { parseDateKey } from "../partitions/calendar";
import { dailyPartitions } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import { timeWindowMapping, UNPARTITIONED } from "../partitions/mapping";
import type { AssetStorageSummary } from "../storage/storage";
import {
  computeStatus,
  describeCause,
  PARTITION_STATUSES,
  type AssetStatus,
  type PartitionStatus,
  type StaleCause,
} from "./asset-status";

/** Paris is on 2024-09-01: the example's daily partitions run from 2024-05-23 to 2024-08-31. */
const now = new Date("2024-09-01T12:00:00Z");
const EXAMPLE_DAYS = 101; // May 23…31 (9) + June (30) + July (31) + August (31)

function day(key: string): number {
  const d = parseDateKey(key);
  if (d === undefined) throw new Error(`test setup: ${key} is not a date`);
  return d;
}

/** Days `from` … `to`, inclusive. */
const days = (from: string, to: string = from): IntervalSet =>
  IntervalSet.fromRange(day(from), day(to) + 1);

const D1_D3 = days("2024-08-01", "2024-08-03");

/** Dependency signatures of the example assets, as Definitions computes them. */
const SIG = {
  raw: "",
  staging: "raw/events",
  ref: "",
  marts: "ref/countries,staging/events_clean",
} as const;

function summary(parts: Partial<AssetStorageSummary>): AssetStorageSummary {
  return {
    versions: [],
    staleMarks: [],
    failed: IntervalSet.EMPTY,
    running: IntervalSet.EMPTY,
    ...parts,
  };
}

const built = (partitions: IntervalSet, depsSignature: string, codeVersion = "1") => ({
  codeVersion,
  depsSignature,
  partitions,
});

function statusOf(statuses: Map<string, AssetStatus>, key: string): AssetStatus {
  const s = statuses.get(key);
  if (!s) throw new Error(`no status for ${key}`);
  expectConsistent(s);
  return s;
}

/** Every existing partition has exactly one status, and counts match subsets. */
function expectConsistent(s: AssetStatus): void {
  let sum = 0;
  for (const status of PARTITION_STATUSES) {
    expect(s.counts[status], `${s.key} ${status}`).toBe(s.subsets[status].size);
    sum += s.counts[status];
  }
  expect(sum, `${s.key}: counts add up to the total`).toBe(s.total);
  const union = IntervalSet.unionAll(PARTITION_STATUSES.map((st) => s.subsets[st]));
  expect(union.size, `${s.key}: subsets are disjoint`).toBe(s.total);
}

function counts(
  partial: Partial<Record<PartitionStatus, number>>,
): Record<PartitionStatus, number> {
  return { FRESH: 0, STALE: 0, MISSING: 0, FAILED: 0, RUNNING: 0, ...partial };
}

/** Causes with partitions as plain ranges, for readable deep equality. */
const plain = (causes: readonly StaleCause[]) =>
  causes.map((c) => ({ ...c, partitions: c.partitions.toJSON() }));

/** Causes of staleness, without the upstream-missing causes of partitions waiting on upstream. */
const staleCauses = (s: AssetStatus): StaleCause[] =>
  s.causes.filter((c) => c.kind !== "upstream-missing");

const noop = async (): Promise<void> => undefined;

/** The example pipeline, typed as the engine's functions take definitions. */
const example = (overrides?: ExampleOverrides): Definitions<unknown> =>
  buildExampleDefinitions(overrides) as Definitions<unknown>;
const asset = (options: Omit<AssetOptions<unknown>, "materialize">) =>
  defineAsset<unknown>({ ...options, materialize: noop });

/** Everything of the example materialised on D1…D3 with current code: all fresh. */
function freshExample(): Map<string, AssetStorageSummary> {
  return new Map([
    ["raw/events", summary({ versions: [built(D1_D3, SIG.raw)] })],
    ["staging/events_clean", summary({ versions: [built(D1_D3, SIG.staging)] })],
    ["ref/countries", summary({ versions: [built(UNPARTITIONED, SIG.ref)] })],
    ["marts/summary", summary({ versions: [built(UNPARTITIONED, SIG.marts)] })],
  ]);
}

describe("computeStatus: basics", () => {
  const defs = example();

  it("sanity: the dependency signatures used by the fixtures", () => {
    expect(defs.depsSignature("raw/events")).toBe(SIG.raw);
    expect(defs.depsSignature("staging/events_clean")).toBe(SIG.staging);
    expect(defs.depsSignature("ref/countries")).toBe(SIG.ref);
    expect(defs.depsSignature("marts/summary")).toBe(SIG.marts);
  });

  it("nothing stored: everything is MISSING", () => {
    const statuses = computeStatus(defs, new Map(), now);
    expect([...statuses.keys()]).toEqual([
      "raw/events",
      "ref/countries",
      "staging/events_clean",
      "marts/summary",
    ]);
    for (const key of ["raw/events", "staging/events_clean"]) {
      const s = statusOf(statuses, key);
      expect(s.partitioned).toBe(true);
      expect(s.status).toBe("MISSING");
      expect(s.total).toBe(EXAMPLE_DAYS);
      expect(s.counts).toEqual(counts({ MISSING: EXAMPLE_DAYS }));
      expect(s.subsets.MISSING.equals(days("2024-05-23", "2024-08-31"))).toBe(true);
      expect(staleCauses(s)).toEqual([]);
    }
    for (const key of ["ref/countries", "marts/summary"]) {
      const s = statusOf(statuses, key);
      expect(s.partitioned).toBe(false);
      expect(s.status).toBe("MISSING");
      expect(s.total).toBe(1);
      expect(s.counts).toEqual(counts({ MISSING: 1 }));
      expect(staleCauses(s)).toEqual([]);
    }
  });

  it("a partition materialised with the current code version is FRESH", () => {
    const statuses = computeStatus(
      defs,
      new Map([["raw/events", summary({ versions: [built(days("2024-08-01"), SIG.raw)] })]]),
      now,
    );
    const s = statusOf(statuses, "raw/events");
    expect(s.status).toBe("FRESH");
    expect(s.counts).toEqual(counts({ FRESH: 1, MISSING: EXAMPLE_DAYS - 1 }));
    expect(s.subsets.FRESH.equals(days("2024-08-01"))).toBe(true);
    expect(s.causes).toEqual([]);
  });

  it("everything materialised with current code and data: FRESH everywhere", () => {
    const statuses = computeStatus(defs, freshExample(), now);
    for (const s of statuses.values()) {
      expectConsistent(s);
      expect(s.status, s.key).toBe("FRESH");
      expect(staleCauses(s), s.key).toEqual([]);
    }
    expect(statusOf(statuses, "staging/events_clean").counts).toEqual(
      counts({ FRESH: 3, MISSING: EXAMPLE_DAYS - 3 }),
    );
    expect(statusOf(statuses, "marts/summary").counts).toEqual(counts({ FRESH: 1 }));
  });

  it("ignores materialisations of partitions that do not exist (yet)", () => {
    // 2024-09-01 (today in Paris) is not a partition yet.
    const statuses = computeStatus(
      defs,
      new Map([
        ["raw/events", summary({ versions: [built(days("2024-08-31", "2024-09-01"), SIG.raw)] })],
      ]),
      now,
    );
    const s = statusOf(statuses, "raw/events");
    expect(s.counts).toEqual(counts({ FRESH: 1, MISSING: EXAMPLE_DAYS - 1 }));
  });
});

describe("computeStatus: stale causes", () => {
  it("an old code version is STALE with code-version-changed (from → to)", () => {
    const defs = example({ codeVersions: { "raw/events": "2" } });
    const stored = new Map([
      [
        "raw/events",
        summary({
          versions: [built(D1_D3, SIG.raw, "1"), built(days("2024-08-04"), SIG.raw, "2")],
        }),
      ],
    ]);
    const s = statusOf(computeStatus(defs, stored, now), "raw/events");
    expect(s.status).toBe("STALE");
    expect(s.counts).toEqual(counts({ STALE: 3, FRESH: 1, MISSING: EXAMPLE_DAYS - 4 }));
    expect(s.subsets.STALE.equals(D1_D3)).toBe(true);
    expect(s.subsets.FRESH.equals(days("2024-08-04"))).toBe(true);
    expect(plain(s.causes)).toEqual([
      { kind: "code-version-changed", from: "1", to: "2", partitions: D1_D3.toJSON() },
    ]);
    expect(describeCause(s.causes[0]!)).toBe("code version changed (1 → 2)");
  });

  it("a stale mark makes only the marked partitions that are materialised STALE (upstream-newer)", () => {
    const defs = example();
    const stored = freshExample();
    stored.set(
      "staging/events_clean",
      summary({
        versions: [built(D1_D3, SIG.staging)],
        // 2024-08-10 is marked but was never materialised: it stays MISSING.
        staleMarks: [
          {
            upstreamKey: "raw/events",
            partitions: IntervalSet.fromIndices([day("2024-08-02"), day("2024-08-10")]),
          },
        ],
      }),
    );
    const statuses = computeStatus(defs, stored, now);
    const s = statusOf(statuses, "staging/events_clean");
    expect(s.status).toBe("STALE");
    expect(s.counts).toEqual(counts({ FRESH: 2, STALE: 1, MISSING: EXAMPLE_DAYS - 3 }));
    expect(s.subsets.STALE.equals(days("2024-08-02"))).toBe(true);
    expect(s.subsets.MISSING.has(day("2024-08-10"))).toBe(true);
    expect(plain(staleCauses(s))).toEqual([
      { kind: "upstream-newer", upstream: "raw/events", partitions: days("2024-08-02").toJSON() },
    ]);
    expect(describeCause(staleCauses(s)[0]!)).toBe("upstream raw/events has newer data");
    // The upstream itself is unaffected.
    expect(statusOf(statuses, "raw/events").status).toBe("FRESH");
  });

  it("ignores stale marks from an asset that is no longer a dependency", () => {
    const defs = example();
    const stored = freshExample();
    stored.set(
      "staging/events_clean",
      summary({
        versions: [built(D1_D3, SIG.staging)],
        staleMarks: [{ upstreamKey: "raw/removed", partitions: D1_D3 }],
      }),
    );
    expect(statusOf(computeStatus(defs, stored, now), "staging/events_clean").status).toBe("FRESH");
  });

  it("identity: a day materialised downstream but not upstream is MISSING, waiting on that upstream day", () => {
    const defs = example();
    const stored = new Map([
      ["raw/events", summary({ versions: [built(days("2024-08-01", "2024-08-02"), SIG.raw)] })],
      ["staging/events_clean", summary({ versions: [built(D1_D3, SIG.staging)] })],
    ]);
    const s = statusOf(computeStatus(defs, stored, now), "staging/events_clean");
    expect(s.status).toBe("FRESH");
    expect(s.counts).toEqual(counts({ FRESH: 2, MISSING: EXAMPLE_DAYS - 2 }));
    // Every day but the two materialised upstream waits on raw/events, built or not.
    const waiting = days("2024-05-23", "2024-08-31").subtract(days("2024-08-01", "2024-08-02"));
    expect(s.waiting.toJSON()).toEqual(waiting.toJSON());
    expect(s.materialized.toJSON()).toEqual(D1_D3.toJSON());
    expect(s.causes).toHaveLength(1);
    const cause = s.causes[0]!;
    expect(cause.kind).toBe("upstream-missing");
    expect(cause.partitions.toJSON()).toEqual(waiting.toJSON());
    expect(describeCause(cause)).toBe(
      "upstream raw/events[2024-05-23, 2024-05-24, 2024-05-25] and 96 more are missing",
    );
  });

  it("names the single missing upstream partition of a day", () => {
    const defs = example();
    const everyDay = days("2024-05-23", "2024-08-31");
    const stored = new Map([
      [
        "raw/events",
        summary({ versions: [built(everyDay.subtract(days("2024-06-01")), SIG.raw)] }),
      ],
      ["staging/events_clean", summary({ versions: [built(everyDay, SIG.staging)] })],
    ]);
    const s = statusOf(computeStatus(defs, stored, now), "staging/events_clean");
    expect(s.counts).toEqual(counts({ FRESH: EXAMPLE_DAYS - 1, MISSING: 1 }));
    expect(s.subsets.STALE.isEmpty).toBe(true);
    expect(s.causes.map(describeCause)).toEqual(["upstream raw/events[2024-06-01] is missing"]);
  });

  it("a waiting partition is not stale even when its code version changed", () => {
    const defs = example({ codeVersions: { "staging/events_clean": "2" } });
    const stored = new Map([
      ["raw/events", summary({ versions: [built(days("2024-08-01"), SIG.raw)] })],
      ["staging/events_clean", summary({ versions: [built(D1_D3, SIG.staging)] })],
    ]);
    const s = statusOf(computeStatus(defs, stored, now), "staging/events_clean");
    expect(s.subsets.STALE.toJSON()).toEqual(days("2024-08-01").toJSON());
    expect(s.waiting.intersect(days("2024-08-02", "2024-08-03")).size).toBe(2);
    expect(s.subsets.MISSING.intersect(D1_D3).toJSON()).toEqual(
      days("2024-08-02", "2024-08-03").toJSON(),
    );
    // The cause names only the partition it makes stale.
    expect(plain(staleCauses(s))).toEqual([
      {
        kind: "code-version-changed",
        from: "1",
        to: "2",
        partitions: days("2024-08-01").toJSON(),
      },
    ]);
  });

  it("a failed or stale upstream partition exists; a failed one never materialised does not", () => {
    const defs = example({ codeVersions: { "raw/events": "2" } });
    const stored = new Map([
      [
        "raw/events",
        summary({
          versions: [built(days("2024-08-01", "2024-08-02"), SIG.raw)],
          failed: days("2024-08-02", "2024-08-03"),
        }),
      ],
    ]);
    const s = statusOf(computeStatus(defs, stored, now), "staging/events_clean");
    expect(s.waiting.intersect(D1_D3).toJSON()).toEqual(days("2024-08-03").toJSON());
  });

  it("a running partition is RUNNING, not waiting", () => {
    const defs = example();
    const stored = new Map([["staging/events_clean", summary({ running: days("2024-08-01") })]]);
    const s = statusOf(computeStatus(defs, stored, now), "staging/events_clean");
    expect(s.counts.RUNNING).toBe(1);
    expect(s.waiting.size).toBe(EXAMPLE_DAYS - 1);
  });

  it("all-partitions: waits on upstream only when the upstream has nothing at all", () => {
    const defs = example();
    const stored = new Map([
      ["ref/countries", summary({ versions: [built(UNPARTITIONED, SIG.ref)] })],
      ["marts/summary", summary({ versions: [built(UNPARTITIONED, SIG.marts)] })],
    ]);
    const mart = statusOf(computeStatus(defs, stored, now), "marts/summary");
    expect(mart.status).toBe("MISSING");
    expect(mart.waiting.toJSON()).toEqual([[0, 1]]);
    expect(mart.causes.map((c) => c.kind)).toEqual(["upstream-missing"]);
    expect(mart.causes.map(describeCause)).toEqual(["upstream staging/events_clean is missing"]);
    // One staging day is enough for the mart to have read something.
    stored.set("raw/events", summary({ versions: [built(days("2024-08-01"), SIG.raw)] }));
    stored.set(
      "staging/events_clean",
      summary({ versions: [built(days("2024-08-01"), SIG.staging)] }),
    );
    expect(statusOf(computeStatus(defs, stored, now), "marts/summary").status).toBe("FRESH");
  });

  it("an unpartitioned upstream never materialised makes its reader wait", () => {
    const defs = example();
    const stored = new Map([
      ["raw/events", summary({ versions: [built(D1_D3, SIG.raw)] })],
      ["staging/events_clean", summary({ versions: [built(D1_D3, SIG.staging)] })],
    ]);
    const mart = statusOf(computeStatus(defs, stored, now), "marts/summary");
    expect(mart.waiting.toJSON()).toEqual([[0, 1]]);
    expect(mart.causes.map(describeCause)).toEqual(["upstream ref/countries is missing"]);
  });

  it("propagates upstream-stale down a chain: raw code bump → staging → marts/summary", () => {
    const defs = example({ codeVersions: { "raw/events": "2" } });
    const statuses = computeStatus(defs, freshExample(), now);

    const raw = statusOf(statuses, "raw/events");
    expect(raw.status).toBe("STALE");
    expect(raw.subsets.STALE.equals(D1_D3)).toBe(true);
    expect(staleCauses(raw).map((c) => c.kind)).toEqual(["code-version-changed"]);

    const staging = statusOf(statuses, "staging/events_clean");
    expect(staging.status).toBe("STALE");
    expect(staging.counts).toEqual(counts({ STALE: 3, MISSING: EXAMPLE_DAYS - 3 }));
    expect(plain(staleCauses(staging))).toEqual([
      { kind: "upstream-stale", upstream: "raw/events", partitions: D1_D3.toJSON() },
    ]);
    expect(describeCause(staleCauses(staging)[0]!)).toBe("upstream raw/events is stale");

    const mart = statusOf(statuses, "marts/summary");
    expect(mart.status).toBe("STALE");
    expect(plain(staleCauses(mart))).toEqual([
      { kind: "upstream-stale", upstream: "staging/events_clean", partitions: [[0, 1]] },
    ]);
    expect(describeCause(staleCauses(mart)[0]!)).toBe("upstream staging/events_clean is stale");

    expect(statusOf(statuses, "ref/countries").status).toBe("FRESH");
  });

  it("identity propagation stays on the stale days", () => {
    const defs = example();
    const stored = freshExample();
    stored.set(
      "staging/events_clean",
      summary({
        versions: [built(D1_D3, SIG.staging)],
        staleMarks: [{ upstreamKey: "raw/events", partitions: days("2024-08-02") }],
      }),
    );
    // A third daily asset reading staging through identity.
    const withReport = Definitions.create({
      assets: [
        ...defs.assets,
        asset({
          key: "marts/daily_report",
          deps: ["staging/events_clean"],
          partitions: dailyPartitions({ start: "2024-05-23" }),
        }),
      ],
    });
    stored.set("marts/daily_report", summary({ versions: [built(D1_D3, "staging/events_clean")] }));
    const report = statusOf(computeStatus(withReport, stored, now), "marts/daily_report");
    expect(report.subsets.STALE.equals(days("2024-08-02"))).toBe(true);
    expect(report.counts).toEqual(counts({ FRESH: 2, STALE: 1, MISSING: EXAMPLE_DAYS - 3 }));
    expect(plain(staleCauses(report))).toEqual([
      {
        kind: "upstream-stale",
        upstream: "staging/events_clean",
        partitions: days("2024-08-02").toJSON(),
      },
    ]);
  });

  it("dependencies-changed when the stored dependency signature differs", () => {
    const defs = example();
    const stored = freshExample();
    stored.set("staging/events_clean", summary({ versions: [built(D1_D3, "raw/legacy")] }));
    stored.set(
      "marts/summary",
      summary({ versions: [built(UNPARTITIONED, "staging/events_clean")] }),
    );
    const statuses = computeStatus(defs, stored, now);

    const staging = statusOf(statuses, "staging/events_clean");
    expect(staging.status).toBe("STALE");
    expect(plain(staleCauses(staging))).toEqual([
      {
        kind: "dependencies-changed",
        added: ["raw/events"],
        removed: ["raw/legacy"],
        partitions: D1_D3.toJSON(),
      },
    ]);
    expect(describeCause(staleCauses(staging)[0]!)).toBe(
      "dependencies changed (+raw/events, -raw/legacy)",
    );

    const mart = statusOf(statuses, "marts/summary");
    const changed = mart.causes.find((c) => c.kind === "dependencies-changed");
    expect(changed).toMatchObject({ added: ["ref/countries"], removed: [] });
    expect(describeCause(changed!)).toBe("dependencies changed (+ref/countries)");
    // And the mart also reads a stale staging.
    expect(staleCauses(mart).map((c) => c.kind)).toEqual([
      "dependencies-changed",
      "upstream-stale",
    ]);
  });

  it("a stored signature from before any dependency existed", () => {
    const defs = example();
    const stored = freshExample();
    stored.set("staging/events_clean", summary({ versions: [built(D1_D3, "")] }));
    const staging = statusOf(computeStatus(defs, stored, now), "staging/events_clean");
    expect(staleCauses(staging)).toMatchObject([
      { kind: "dependencies-changed", added: ["raw/events"], removed: [] },
    ]);
  });

  it("reports every cause, but counts a partition stale once", () => {
    const defs = example({ codeVersions: { "staging/events_clean": "2" } });
    const stored = freshExample();
    stored.set(
      "staging/events_clean",
      summary({
        versions: [built(D1_D3, SIG.staging, "1")],
        staleMarks: [{ upstreamKey: "raw/events", partitions: days("2024-08-02") }],
      }),
    );
    const s = statusOf(computeStatus(defs, stored, now), "staging/events_clean");
    expect(staleCauses(s).map((c) => c.kind)).toEqual(["code-version-changed", "upstream-newer"]);
    expect(s.counts.STALE).toBe(3);
  });
});

describe("computeStatus: failed and running", () => {
  it("RUNNING beats FAILED beats STALE, per partition and overall", () => {
    const defs = example({ codeVersions: { "raw/events": "2" } });
    const stored = new Map([
      [
        "raw/events",
        summary({
          versions: [built(D1_D3, SIG.raw, "1")], // all three stale
          running: IntervalSet.fromIndices([day("2024-08-01"), day("2024-09-01")]), // 09-01 does not exist
          failed: IntervalSet.fromIndices([
            day("2024-08-01"),
            day("2024-08-02"),
            day("2024-08-05"),
          ]),
        }),
      ],
    ]);
    let s = statusOf(computeStatus(defs, stored, now), "raw/events");
    expect(s.status).toBe("RUNNING");
    expect(s.subsets.RUNNING.equals(days("2024-08-01"))).toBe(true);
    // A failed partition that is running again counts as running.
    expect(
      s.subsets.FAILED.equals(IntervalSet.fromIndices([day("2024-08-02"), day("2024-08-05")])),
    ).toBe(true);
    expect(s.subsets.STALE.equals(days("2024-08-03"))).toBe(true);
    // 2024-08-05 was never materialised: FAILED, not MISSING.
    expect(s.counts).toEqual(
      counts({ RUNNING: 1, FAILED: 2, STALE: 1, MISSING: EXAMPLE_DAYS - 4 }),
    );

    stored.set("raw/events", summary({ ...stored.get("raw/events")!, running: IntervalSet.EMPTY }));
    s = statusOf(computeStatus(defs, stored, now), "raw/events");
    expect(s.status).toBe("FAILED");
    expect(s.counts).toEqual(counts({ FAILED: 3, STALE: 1, MISSING: EXAMPLE_DAYS - 4 }));
  });

  it("FAILED beats FRESH for an unpartitioned asset", () => {
    const defs = example();
    const stored = freshExample();
    stored.set(
      "ref/countries",
      summary({ versions: [built(UNPARTITIONED, SIG.ref)], failed: UNPARTITIONED }),
    );
    const s = statusOf(computeStatus(defs, stored, now), "ref/countries");
    expect(s.status).toBe("FAILED");
    expect(s.counts).toEqual(counts({ FAILED: 1 }));
  });

  it("a running partition never materialised is RUNNING, not MISSING", () => {
    const defs = example();
    const stored = new Map([
      ["raw/events", summary({ running: days("2024-08-01", "2024-08-02") })],
    ]);
    const s = statusOf(computeStatus(defs, stored, now), "raw/events");
    expect(s.status).toBe("RUNNING");
    expect(s.counts).toEqual(counts({ RUNNING: 2, MISSING: EXAMPLE_DAYS - 2 }));
  });
});

describe("computeStatus: time-window mappings", () => {
  const daily = dailyPartitions({ start: "2024-08-01" });
  const defs = Definitions.create({
    assets: [
      asset({ key: "raw", partitions: daily }),
      asset({
        key: "lagged",
        deps: [{ asset: "raw", mapping: timeWindowMapping({ offset: -1 }) }],
        partitions: daily,
      }),
    ],
  });
  const all = days("2024-08-01", "2024-08-31");

  it("day d is missing its upstream when day d-1 upstream is not materialised", () => {
    const stored = new Map([
      ["raw", summary({ versions: [built(all.subtract(days("2024-08-10")), "")] })],
      ["lagged", summary({ versions: [built(all, "raw")] })],
    ]);
    const s = statusOf(computeStatus(defs, stored, now), "lagged");
    expect(s.causes.map(describeCause)).toEqual(["upstream raw[2024-08-10] is missing"]);
    expect(s.waiting.toJSON()).toEqual(days("2024-08-11").toJSON());
    expect(s.counts).toEqual(counts({ FRESH: 30, MISSING: 1 }));
  });

  it("the first day, whose window starts before the upstream's first partition, is not missing anything", () => {
    const stored = new Map([
      ["raw", summary({ versions: [built(all, "")] })],
      ["lagged", summary({ versions: [built(all, "raw")] })],
    ]);
    const s = statusOf(computeStatus(defs, stored, now), "lagged");
    expect(s.causes).toEqual([]);
    expect(s.status).toBe("FRESH");
    expect(s.counts).toEqual(counts({ FRESH: 31 }));
  });

  it("a stale upstream day makes the next downstream day stale", () => {
    const bumped = Definitions.create({
      assets: [
        asset({ key: "raw", partitions: daily, codeVersion: "2" }),
        asset({
          key: "lagged",
          deps: [{ asset: "raw", mapping: timeWindowMapping({ offset: -1 }) }],
          partitions: daily,
        }),
      ],
    });
    // Day 2024-08-10 was last built with the old code version.
    const stored = new Map([
      [
        "raw",
        summary({
          versions: [
            built(all.subtract(days("2024-08-10")), "", "2"),
            built(days("2024-08-10"), "", "1"),
          ],
        }),
      ],
      ["lagged", summary({ versions: [built(all, "raw")] })],
    ]);
    const s = statusOf(computeStatus(bumped, stored, now), "lagged");
    expect(plain(s.causes)).toEqual([
      { kind: "upstream-stale", upstream: "raw", partitions: days("2024-08-11").toJSON() },
    ]);
  });
});

describe("computeStatus: scale", () => {
  // 2021, 2022 and 2023 (3 × 365 days) + January, February (leap) and March 2024 (91) + 14 days
  // = 1,200 days from 2021-01-01 to 2024-04-14; on 2024-04-15 in Paris all are complete.
  const bigNow = new Date("2024-04-15T12:00:00Z");
  const ALL_DAYS = days("2021-01-01", "2024-04-14");
  const defs = Definitions.create({
    assets: [
      asset({ key: "raw/big", partitions: dailyPartitions({ start: "2021-01-01" }) }),
      asset({ key: "marts/all", deps: ["raw/big"] }),
    ],
  });

  it("sanity: 1,200 daily partitions", () => {
    expect(ALL_DAYS.size).toBe(1200);
  });

  it("an unpartitioned asset reading 1,200 fresh partitions is FRESH", () => {
    const stored = new Map([
      ["raw/big", summary({ versions: [built(ALL_DAYS, "")] })],
      ["marts/all", summary({ versions: [built(UNPARTITIONED, "raw/big")] })],
    ]);
    const statuses = computeStatus(defs, stored, bigNow);
    const raw = statusOf(statuses, "raw/big");
    expect(raw.total).toBe(1200);
    expect(raw.counts).toEqual(counts({ FRESH: 1200 }));
    expect(raw.status).toBe("FRESH");
    const mart = statusOf(statuses, "marts/all");
    expect(mart.status).toBe("FRESH");
    expect(mart.causes).toEqual([]);
  });

  it("one re-materialised upstream partition (a stale mark) makes it STALE: upstream-newer", () => {
    const stored = new Map([
      ["raw/big", summary({ versions: [built(ALL_DAYS, "")] })],
      [
        "marts/all",
        summary({
          versions: [built(UNPARTITIONED, "raw/big")],
          staleMarks: [{ upstreamKey: "raw/big", partitions: UNPARTITIONED }],
        }),
      ],
    ]);
    const statuses = computeStatus(defs, stored, bigNow);
    expect(statusOf(statuses, "raw/big").counts).toEqual(counts({ FRESH: 1200 }));
    const mart = statusOf(statuses, "marts/all");
    expect(mart.status).toBe("STALE");
    expect(mart.counts).toEqual(counts({ STALE: 1 }));
    expect(plain(mart.causes)).toEqual([
      { kind: "upstream-newer", upstream: "raw/big", partitions: [[0, 1]] },
    ]);
    expect(mart.causes.map(describeCause)).toEqual(["upstream raw/big has newer data"]);
  });

  it("one stale partition out of 1,200 upstream makes it STALE: upstream-stale", () => {
    const old = days("2023-06-15");
    const stored = new Map([
      [
        "raw/big",
        summary({ versions: [built(ALL_DAYS.subtract(old), "", "1"), built(old, "", "0")] }),
      ],
      ["marts/all", summary({ versions: [built(UNPARTITIONED, "raw/big")] })],
    ]);
    const statuses = computeStatus(defs, stored, bigNow);
    const raw = statusOf(statuses, "raw/big");
    expect(raw.counts).toEqual(counts({ FRESH: 1199, STALE: 1 }));
    expect(raw.subsets.STALE.equals(old)).toBe(true);
    expect(raw.causes.map(describeCause)).toEqual(["code version changed (0 → 1)"]);
    const mart = statusOf(statuses, "marts/all");
    expect(mart.status).toBe("STALE");
    expect(plain(mart.causes)).toEqual([
      { kind: "upstream-stale", upstream: "raw/big", partitions: [[0, 1]] },
    ]);
    expect(mart.causes.map(describeCause)).toEqual(["upstream raw/big is stale"]);
  });

  it("a failed upstream partition does not make readers stale", () => {
    const stored = new Map([
      ["raw/big", summary({ versions: [built(ALL_DAYS, "")], failed: days("2024-04-14") })],
      ["marts/all", summary({ versions: [built(UNPARTITIONED, "raw/big")] })],
    ]);
    const statuses = computeStatus(defs, stored, bigNow);
    expect(statusOf(statuses, "raw/big").status).toBe("FAILED");
    expect(statusOf(statuses, "marts/all").status).toBe("FRESH");
  });
});

describe("describeCause", () => {
  it("puts every kind of cause in words", () => {
    const p = IntervalSet.single(0);
    expect(describeCause({ kind: "code-version-changed", from: "a", to: "b", partitions: p })).toBe(
      "code version changed (a → b)",
    );
    expect(
      describeCause({
        kind: "dependencies-changed",
        added: ["x", "y"],
        removed: ["z"],
        partitions: p,
      }),
    ).toBe("dependencies changed (+x, +y, -z)");
    expect(describeCause({ kind: "upstream-newer", upstream: "u", partitions: p })).toBe(
      "upstream u has newer data",
    );
    expect(describeCause({ kind: "upstream-missing", upstream: "u", partitions: p })).toBe(
      "upstream u is missing",
    );
    expect(
      describeCause({
        kind: "upstream-missing",
        upstream: "raw/offres",
        partitions: p,
        missingKeys: ["2024-06-01"],
        missingCount: 1,
      }),
    ).toBe("upstream raw/offres[2024-06-01] is missing");
    expect(
      describeCause({
        kind: "upstream-missing",
        upstream: "raw/offres",
        partitions: p,
        missingKeys: ["2024-06-01", "2024-06-02", "2024-06-03"],
        missingCount: 926,
      }),
    ).toBe("upstream raw/offres[2024-06-01, 2024-06-02, 2024-06-03] and 923 more are missing");
    expect(describeCause({ kind: "upstream-stale", upstream: "u", partitions: p })).toBe(
      "upstream u is stale",
    );
  });
});
