import { describe, expect, it } from "vitest";
import { defineAsset, type AssetOptions } from "../definitions/asset";
import { Definitions } from "../definitions/definitions";
import { InvalidPartitionError } from "../errors";
import { buildExampleDefinitions, type ExampleOverrides } from "../examples/example-definitions";
import { resolveSelection } from "../graph/selection";
import { parseDateKey } from "../partitions/calendar";
import { dailyPartitions } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import { timeWindowMapping, UNPARTITIONED } from "../partitions/mapping";
import {
  describePartitionRequest,
  resolvePartitionRequest,
  type PartitionRequest,
} from "./partition-request";
import { plan, type PlanStep } from "./plan";

/** Paris is on 2024-09-01: the example's daily partitions run from 2024-05-23 to 2024-08-31. */
const now = new Date("2024-09-01T12:00:00Z");

function day(key: string): number {
  const d = parseDateKey(key);
  if (d === undefined) throw new Error(`test setup: ${key} is not a date`);
  return d;
}

const noop = async (): Promise<void> => undefined;

/** The example pipeline, typed as the engine's functions take definitions. */
const example = (overrides?: ExampleOverrides): Definitions<unknown> =>
  buildExampleDefinitions(overrides) as Definitions<unknown>;
const asset = (options: Omit<AssetOptions<unknown>, "materialize">) =>
  defineAsset<unknown>({ ...options, materialize: noop });

const RANGE: PartitionRequest = { kind: "range", from: "2024-08-01", to: "2024-08-03" };

function planFor(defs: Definitions<unknown>, selection: string, request: PartitionRequest) {
  const keys = resolveSelection(defs.graph, selection);
  return plan(defs, resolvePartitionRequest(defs, keys, request, now), now);
}

/** Step key → dependsOn, for compact assertions. */
const edges = (steps: readonly PlanStep[]): Record<string, readonly string[]> =>
  Object.fromEntries(steps.map((s) => [s.key, s.dependsOn]));

function partitionError(fn: () => unknown): InvalidPartitionError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidPartitionError);
  expect((error as InvalidPartitionError).code).toBe("INVALID_PARTITION");
  return error as InvalidPartitionError;
}

describe("resolvePartitionRequest", () => {
  const defs = example();
  const all = ["raw/events", "ref/countries", "staging/events_clean", "marts/summary"];

  it("maps a range to the same days for every partitioned asset, and unpartitioned to index 0", () => {
    const targets = resolvePartitionRequest(defs, all, RANGE, now);
    expect([...targets.keys()]).toEqual(all);
    const days = IntervalSet.fromRange(day("2024-08-01"), day("2024-08-03") + 1);
    expect(targets.get("raw/events")?.equals(days)).toBe(true);
    expect(targets.get("staging/events_clean")?.equals(days)).toBe(true);
    expect(targets.get("ref/countries")?.equals(UNPARTITIONED)).toBe(true);
    expect(targets.get("marts/summary")?.equals(UNPARTITIONED)).toBe(true);
  });

  it("maps a single key to one partition", () => {
    const targets = resolvePartitionRequest(
      defs,
      ["raw/events"],
      { kind: "single", key: "2024-08-31" },
      now,
    );
    expect(targets.get("raw/events")?.toJSON()).toEqual([
      [day("2024-08-31"), day("2024-08-31") + 1],
    ]);
  });

  it("accepts a one-day range and the first and last partitions", () => {
    const one = resolvePartitionRequest(
      defs,
      ["raw/events"],
      { kind: "range", from: "2024-05-23", to: "2024-05-23" },
      now,
    );
    expect(one.get("raw/events")?.size).toBe(1);
    const whole = resolvePartitionRequest(
      defs,
      ["raw/events"],
      { kind: "range", from: "2024-05-23", to: "2024-08-31" },
      now,
    );
    expect(whole.get("raw/events")?.size).toBe(101);
  });

  it("needs no partition when nothing selected is partitioned", () => {
    const targets = resolvePartitionRequest(
      defs,
      ["ref/countries", "marts/summary"],
      { kind: "none" },
      now,
    );
    expect(targets.get("ref/countries")?.equals(UNPARTITIONED)).toBe(true);
    expect(targets.get("marts/summary")?.equals(UNPARTITIONED)).toBe(true);
  });

  it("rejects a partitioned asset without a partition", () => {
    const e = partitionError(() => resolvePartitionRequest(defs, all, { kind: "none" }, now));
    expect(e.message).toContain("raw/events is partitioned");
  });

  it("rejects a partition when no selected asset is partitioned", () => {
    const e = partitionError(() =>
      resolvePartitionRequest(defs, ["ref/countries"], { kind: "single", key: "2024-08-01" }, now),
    );
    expect(e.message).toContain("no selected asset is partitioned");
    expect(e.message).toContain("ref/countries");
    partitionError(() => resolvePartitionRequest(defs, ["marts/summary"], RANGE, now));
  });

  it("rejects a reversed range", () => {
    const e = partitionError(() =>
      resolvePartitionRequest(
        defs,
        ["raw/events"],
        { kind: "range", from: "2024-08-03", to: "2024-08-01" },
        now,
      ),
    );
    expect(e.message).toContain("2024-08-03 … 2024-08-01 is reversed");
  });

  it("rejects out-of-range keys, naming the asset and the key", () => {
    // Today (Paris) is not complete yet.
    let e = partitionError(() =>
      resolvePartitionRequest(defs, ["raw/events"], { kind: "single", key: "2024-09-01" }, now),
    );
    expect(e.message).toContain("asset raw/events");
    expect(e.message).toContain(`"2024-09-01" is out of range`);
    e = partitionError(() =>
      resolvePartitionRequest(
        defs,
        ["raw/events"],
        { kind: "range", from: "2024-05-22", to: "2024-05-30" },
        now,
      ),
    );
    expect(e.message).toContain(`"2024-05-22" is out of range`);
    e = partitionError(() =>
      resolvePartitionRequest(
        defs,
        ["raw/events"],
        { kind: "range", from: "2024-08-01", to: "2024-09-15" },
        now,
      ),
    );
    expect(e.message).toContain(`"2024-09-15" is out of range`);
  });

  it("rejects a key that is not a calendar date", () => {
    const e = partitionError(() =>
      resolvePartitionRequest(defs, ["raw/events"], { kind: "single", key: "2024-02-30" }, now),
    );
    expect(e.message).toContain("asset raw/events");
    expect(e.message).toContain(`"2024-02-30"`);
    expect(e.message).toContain("not a valid YYYY-MM-DD date");
  });

  it("describes requests", () => {
    expect(describePartitionRequest({ kind: "none" })).toBeUndefined();
    expect(describePartitionRequest({ kind: "single", key: "2024-08-01" })).toBe("2024-08-01");
    expect(describePartitionRequest(RANGE)).toBe("2024-08-01…2024-08-03");
  });
});

describe("plan: the example pipeline", () => {
  const defs = example();

  it("plans a 3-day range over +marts/summary in a deterministic order", () => {
    const { steps } = planFor(defs, "+marts/summary", RANGE);
    expect(steps.map((s) => s.key)).toEqual([
      "raw/events[2024-08-01]",
      "raw/events[2024-08-02]",
      "raw/events[2024-08-03]",
      "ref/countries",
      "staging/events_clean[2024-08-01]",
      "staging/events_clean[2024-08-02]",
      "staging/events_clean[2024-08-03]",
      "marts/summary",
    ]);
    expect(edges(steps)).toEqual({
      "raw/events[2024-08-01]": [],
      "raw/events[2024-08-02]": [],
      "raw/events[2024-08-03]": [],
      "ref/countries": [],
      // Identity: day d waits for raw day d only.
      "staging/events_clean[2024-08-01]": ["raw/events[2024-08-01]"],
      "staging/events_clean[2024-08-02]": ["raw/events[2024-08-02]"],
      "staging/events_clean[2024-08-03]": ["raw/events[2024-08-03]"],
      // All partitions of staging, and the reference table.
      "marts/summary": [
        "staging/events_clean[2024-08-01]",
        "staging/events_clean[2024-08-02]",
        "staging/events_clean[2024-08-03]",
        "ref/countries",
      ],
    });
  });

  it("gives each step its partitions and keys", () => {
    const { steps } = planFor(defs, "+marts/summary", RANGE);
    const byKey = new Map(steps.map((s) => [s.key, s]));
    const staging = byKey.get("staging/events_clean[2024-08-02]")!;
    expect(staging.assetKey).toBe("staging/events_clean");
    expect(staging.partitionKeys).toEqual(["2024-08-02"]);
    expect(staging.partitions.toJSON()).toEqual([[day("2024-08-02"), day("2024-08-02") + 1]]);
    const mart = byKey.get("marts/summary")!;
    expect(mart.partitionKeys).toEqual([]);
    expect(mart.partitions.equals(UNPARTITIONED)).toBe(true);
  });

  it("only waits for steps in the plan: upstream assets outside the targets are read as stored", () => {
    const { steps } = planFor(defs, "staging/events_clean+", RANGE);
    expect(edges(steps)).toEqual({
      "staging/events_clean[2024-08-01]": [],
      "staging/events_clean[2024-08-02]": [],
      "staging/events_clean[2024-08-03]": [],
      "marts/summary": [
        "staging/events_clean[2024-08-01]",
        "staging/events_clean[2024-08-02]",
        "staging/events_clean[2024-08-03]",
      ],
    });
  });

  it("is deterministic and independent of the order of the targets map", () => {
    const keys = resolveSelection(defs.graph, "+marts/summary");
    const targets = resolvePartitionRequest(defs, keys, RANGE, now);
    const first = plan(defs, targets, now);
    const again = plan(defs, resolvePartitionRequest(defs, keys, RANGE, now), now);
    expect(again).toEqual(first);
    const reversed = new Map([...targets.entries()].reverse());
    expect([...reversed.keys()]).not.toEqual([...targets.keys()]);
    expect(plan(defs, reversed, now)).toEqual(first);
    // Definitions built again (assets in a fresh object graph) plan the same steps.
    expect(plan(example(), targets, now)).toEqual(first);
  });

  it("skips assets with an empty subset", () => {
    const { steps } = plan(
      defs,
      new Map([
        ["raw/events", IntervalSet.EMPTY],
        ["staging/events_clean", IntervalSet.single(day("2024-08-01"))],
      ]),
      now,
    );
    expect(edges(steps)).toEqual({ "staging/events_clean[2024-08-01]": [] });
  });

  it("plans nothing for no targets", () => {
    expect(plan(defs, new Map(), now)).toEqual({ steps: [] });
  });
});

describe("plan: backfill policies and mappings", () => {
  const daily = dailyPartitions({ start: "2024-05-23" });
  const defs = Definitions.create({
    assets: [
      asset({ key: "raw", partitions: daily }),
      asset({ key: "range", deps: ["raw"], partitions: daily, backfillPolicy: "single-run" }),
      asset({ key: "after_range", deps: ["range"], partitions: daily }),
      asset({
        key: "lagged",
        deps: [{ asset: "raw", mapping: timeWindowMapping({ offset: -1 }) }],
        partitions: daily,
      }),
      asset({
        key: "rolling",
        deps: [{ asset: "raw", mapping: timeWindowMapping({ startOffset: -2, endOffset: 0 }) }],
        partitions: daily,
      }),
    ],
  });

  it("a single-run asset gets one step for the whole range, waiting for every partition it reads", () => {
    const { steps } = planFor(defs, "raw,range", RANGE);
    expect(steps.map((s) => s.key)).toEqual([
      "raw[2024-08-01]",
      "raw[2024-08-02]",
      "raw[2024-08-03]",
      "range[2024-08-01…2024-08-03]",
    ]);
    const step = steps[3]!;
    expect(step.assetKey).toBe("range");
    expect(step.partitionKeys).toEqual(["2024-08-01", "2024-08-02", "2024-08-03"]);
    expect(step.partitions.toJSON()).toEqual([[day("2024-08-01"), day("2024-08-03") + 1]]);
    expect(step.dependsOn).toEqual(["raw[2024-08-01]", "raw[2024-08-02]", "raw[2024-08-03]"]);
  });

  it("a single-run asset over one partition is keyed by that partition", () => {
    const { steps } = planFor(defs, "range", { kind: "single", key: "2024-08-02" });
    expect(steps.map((s) => s.key)).toEqual(["range[2024-08-02]"]);
  });

  it("per-partition steps downstream of a single-run step all wait for it", () => {
    const { steps } = planFor(defs, "range,after_range", RANGE);
    expect(edges(steps)).toEqual({
      "range[2024-08-01…2024-08-03]": [],
      "after_range[2024-08-01]": ["range[2024-08-01…2024-08-03]"],
      "after_range[2024-08-02]": ["range[2024-08-01…2024-08-03]"],
      "after_range[2024-08-03]": ["range[2024-08-01…2024-08-03]"],
    });
  });

  it("time-window mappings wait for the days they read, when those are in the plan", () => {
    const { steps } = planFor(defs, "raw,lagged,rolling", RANGE);
    expect(edges(steps)).toEqual({
      "raw[2024-08-01]": [],
      "raw[2024-08-02]": [],
      "raw[2024-08-03]": [],
      // Day d reads d-1; 2024-07-31 is not planned.
      "lagged[2024-08-01]": [],
      "lagged[2024-08-02]": ["raw[2024-08-01]"],
      "lagged[2024-08-03]": ["raw[2024-08-02]"],
      // Day d reads d-2 … d.
      "rolling[2024-08-01]": ["raw[2024-08-01]"],
      "rolling[2024-08-02]": ["raw[2024-08-01]", "raw[2024-08-02]"],
      "rolling[2024-08-03]": ["raw[2024-08-01]", "raw[2024-08-02]", "raw[2024-08-03]"],
    });
  });
});

describe("plan: scale", () => {
  // 2020 (366 days) + 2021 (365) = 731 days to 2022-01-01; + 268 days = 2022-09-26 (day 999).
  const FIRST = "2020-01-01";
  const LAST = "2022-09-26";
  const daily = dailyPartitions({ start: FIRST });
  const defs = Definitions.create({
    assets: [
      asset({ key: "big/raw", partitions: daily }),
      asset({ key: "big/clean", deps: ["big/raw"], partitions: daily }),
      asset({ key: "big/all", deps: ["big/clean"] }),
    ],
  });
  const request: PartitionRequest = { kind: "range", from: FIRST, to: LAST };

  it("a 1,000-partition range gives 1,000 steps for a per-partition asset", () => {
    const { steps } = planFor(defs, "big/raw", request);
    expect(steps).toHaveLength(1000);
    expect(steps[0]!.key).toBe(`big/raw[${FIRST}]`);
    expect(steps[999]!.key).toBe(`big/raw[${LAST}]`);
    expect(new Set(steps.map((s) => s.key)).size).toBe(1000);
    expect(steps.every((s) => s.dependsOn.length === 0 && s.partitions.size === 1)).toBe(true);
  });

  it("links 1,000 identity steps one to one, and an unpartitioned step to all of them", () => {
    const { steps } = planFor(defs, "+big/all", request);
    expect(steps).toHaveLength(2001);
    for (let i = 0; i < 1000; i++) {
      const raw = steps[i]!;
      const clean = steps[1000 + i]!;
      expect(clean.assetKey).toBe("big/clean");
      expect(clean.partitionKeys).toEqual(raw.partitionKeys);
      expect(clean.dependsOn).toEqual([raw.key]);
    }
    const last = steps[2000]!;
    expect(last.key).toBe("big/all");
    expect(last.dependsOn).toEqual(steps.slice(1000, 2000).map((s) => s.key));
  });
});

describe("plan: asset-group runners", () => {
  const runner = { key: "r", run: async () => ({}) };
  const noop = async (): Promise<void> => undefined;
  const now = new Date("2024-09-01T12:00:00Z");

  it("merges the steps of one runner into one step, rewiring dependencies", () => {
    const defs = Definitions.create({
      assets: [
        defineAsset({ key: "src", materialize: noop }),
        defineAsset({ key: "m1", deps: ["src"], runner }),
        defineAsset({ key: "m2", deps: ["m1"], runner }),
        defineAsset({ key: "after", deps: ["m2"], materialize: noop }),
      ],
    }) as Definitions<unknown>;
    const targets = new Map(["src", "m1", "m2", "after"].map((k) => [k, IntervalSet.single(0)]));
    const p = plan(defs, targets, now);
    expect(p.steps.map((s) => [s.key, s.dependsOn])).toEqual([
      ["src", []],
      ["r(m1, m2)", ["src"]],
      ["after", ["r(m1, m2)"]],
    ]);
    expect(p.steps[1]?.members?.map((m) => m.assetKey)).toEqual(["m1", "m2"]);
  });

  it("does not merge when a step outside the group sits between two members", () => {
    const defs = Definitions.create({
      assets: [
        defineAsset({ key: "m1", runner }),
        defineAsset({ key: "mid", deps: ["m1"], materialize: noop }),
        defineAsset({ key: "m2", deps: ["mid"], runner }),
      ],
    }) as Definitions<unknown>;
    const targets = new Map(["m1", "mid", "m2"].map((k) => [k, IntervalSet.single(0)]));
    expect(plan(defs, targets, now).steps.map((s) => s.key)).toEqual(["m1", "mid", "m2"]);
  });
});
