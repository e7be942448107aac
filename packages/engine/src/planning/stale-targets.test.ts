import { describe, expect, it } from "vitest";
import { defineAsset } from "../definitions/asset";
import { Definitions } from "../definitions/definitions";
import { LigneeError, NothingToMaterializeError } from "../errors";
import { prepareRun } from "../execution/launch";
import { parseDateKey } from "../partitions/calendar";
import { dailyPartitions } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import { UNPARTITIONED } from "../partitions/mapping";
import { computeStatus, type PartitionStatus } from "../status/asset-status";
import type { AssetStorageSummary } from "../storage/storage";
import {
  describePartitionRequest,
  partitionRequestFromFields,
  readPartitionRequest,
  resolvePartitionRequest,
  serializePartitionRequest,
} from "./partition-request";
import { stepMembers } from "./plan";
import {
  describeLeftOut,
  stalePartitions,
  staleTargets,
  type StatusSubsets,
} from "./stale-targets";

/** Paris is on 2024-09-01: daily partitions from 2024-08-29 are the 29th, 30th and 31st. */
const now = new Date("2024-09-01T12:00:00Z");

function day(key: string): number {
  const d = parseDateKey(key);
  if (d === undefined) throw new Error(`test setup: ${key} is not a date`);
  return d;
}

const days = (...keys: string[]): IntervalSet => IntervalSet.fromIndices(keys.map(day));

const subsets = (parts: Partial<Record<PartitionStatus, IntervalSet>>): StatusSubsets => ({
  subsets: {
    FRESH: IntervalSet.EMPTY,
    STALE: IntervalSet.EMPTY,
    MISSING: IntervalSet.EMPTY,
    FAILED: IntervalSet.EMPTY,
    RUNNING: IntervalSet.EMPTY,
    ...parts,
  },
  waiting: IntervalSet.EMPTY,
  causes: [],
  materialized: IntervalSet.EMPTY,
});

function nothingError(fn: () => unknown): NothingToMaterializeError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(NothingToMaterializeError);
  expect((error as NothingToMaterializeError).code).toBe("NOTHING_TO_MATERIALIZE");
  return error as NothingToMaterializeError;
}

describe("stalePartitions", () => {
  it("is MISSING, STALE and FAILED; never FRESH nor RUNNING", () => {
    const status = subsets({
      FRESH: days("2024-08-29"),
      STALE: days("2024-08-30"),
      MISSING: days("2024-08-25"),
      FAILED: days("2024-08-31"),
      RUNNING: days("2024-08-27"),
    });
    expect(stalePartitions(status).toJSON()).toEqual(
      days("2024-08-25", "2024-08-30", "2024-08-31").toJSON(),
    );
  });

  it("an unpartitioned asset is included unless it is FRESH or RUNNING", () => {
    for (const s of ["MISSING", "STALE", "FAILED"] as const) {
      expect(stalePartitions(subsets({ [s]: UNPARTITIONED })).equals(UNPARTITIONED), s).toBe(true);
    }
    for (const s of ["FRESH", "RUNNING"] as const) {
      expect(stalePartitions(subsets({ [s]: UNPARTITIONED })).isEmpty, s).toBe(true);
    }
  });
});

describe("staleTargets", () => {
  it("keeps, per asset, only its own partitions to do, and drops assets with nothing to do", () => {
    const statuses = new Map<string, StatusSubsets>([
      ["a", subsets({ FRESH: days("2024-08-29", "2024-08-30", "2024-08-31") })],
      ["b", subsets({ STALE: days("2024-08-29"), FRESH: days("2024-08-30") })],
      ["c", subsets({ FAILED: days("2024-08-31"), RUNNING: days("2024-08-30") })],
      ["u", subsets({ STALE: UNPARTITIONED })],
    ]);
    const targets = staleTargets(["a", "b", "c", "u"], statuses);
    expect([...targets.keys()]).toEqual(["b", "c", "u"]);
    expect(targets.get("b")?.equals(days("2024-08-29"))).toBe(true);
    expect(targets.get("c")?.equals(days("2024-08-31"))).toBe(true);
    expect(targets.get("u")?.equals(UNPARTITIONED)).toBe(true);
  });

  it("only looks at the selected assets", () => {
    const statuses = new Map([
      ["a", subsets({ FRESH: UNPARTITIONED })],
      ["b", subsets({ MISSING: UNPARTITIONED })],
    ]);
    expect([...staleTargets(["b"], statuses).keys()]).toEqual(["b"]);
    nothingError(() => staleTargets(["a"], statuses));
  });

  it("nothing to do is bad input with a one-line message", () => {
    const fresh = new Map([
      ["a", subsets({ FRESH: days("2024-08-29") })],
      ["u", subsets({ FRESH: UNPARTITIONED })],
    ]);
    expect(nothingError(() => staleTargets(["a", "u"], fresh)).message).toBe(
      "nothing to materialise: every selected asset is fresh",
    );
    const running = new Map([["u", subsets({ RUNNING: UNPARTITIONED })]]);
    expect(nothingError(() => staleTargets(["u"], running)).message).toBe(
      "nothing to materialise: every selected asset is fresh or being materialised",
    );
  });
});

describe("prepareRun with a stale request (pure: statuses computed from summaries)", () => {
  const noop = async (): Promise<void> => undefined;
  const runner = { key: "r", run: async () => ({}) };
  const daily = dailyPartitions({ start: "2024-08-29" });
  const defs = Definitions.create({
    assets: [
      defineAsset({ key: "a", partitions: daily, materialize: noop }),
      defineAsset({ key: "b", deps: ["a"], partitions: daily, materialize: noop }),
      defineAsset({ key: "c", deps: ["b"], materialize: noop }),
      defineAsset({ key: "ref", materialize: noop }),
      defineAsset({ key: "m1", deps: ["a"], partitions: daily, runner }),
      defineAsset({ key: "m2", deps: ["m1", "ref"], runner }),
    ],
  }) as Definitions<unknown>;
  const ALL = days("2024-08-29", "2024-08-30", "2024-08-31");
  const built = (partitions: IntervalSet, depsSignature: string) => ({
    codeVersion: "1",
    depsSignature,
    partitions,
  });
  const summary = (parts: Partial<AssetStorageSummary>): AssetStorageSummary => ({
    versions: [],
    staleMarks: [],
    failed: IntervalSet.EMPTY,
    running: IntervalSet.EMPTY,
    ...parts,
  });
  // a: fresh everywhere. b: 29 has newer data upstream, 30 fresh, 31 failed. c reads every
  // partition of b: stale because b is. ref: fresh. m1: built on 29 and 31 only (30 missing).
  // m2 reads every partition of m1, which has no stale partition: fresh.
  const summaries = new Map<string, AssetStorageSummary>([
    ["a", summary({ versions: [built(ALL, "")] })],
    [
      "b",
      summary({
        versions: [built(ALL, "a")],
        staleMarks: [{ upstreamKey: "a", partitions: days("2024-08-29") }],
        failed: days("2024-08-31"),
      }),
    ],
    ["c", summary({ versions: [built(UNPARTITIONED, "b")] })],
    ["ref", summary({ versions: [built(UNPARTITIONED, "")] })],
    ["m1", summary({ versions: [built(days("2024-08-29", "2024-08-31"), "a")] })],
    ["m2", summary({ versions: [built(UNPARTITIONED, "m1,ref")] })],
  ]);
  const statuses = computeStatus(defs, summaries, now);
  const stale = { kind: "stale" } as const;

  it("plans each asset's own partitions; fresh assets are left out of the run", () => {
    const prepared = prepareRun(defs, { selection: "*", partitions: stale }, now, statuses);
    expect(prepared.assetKeys).toEqual(["b", "m1", "c"]);
    expect(prepared.partitions).toEqual(stale);
    expect(prepared.plan.steps.map((s) => [s.key, s.dependsOn])).toEqual([
      ["b[2024-08-29]", []],
      ["b[2024-08-31]", []],
      ["m1[2024-08-30]", []],
      ["c", ["b[2024-08-29]", "b[2024-08-31]"]],
    ]);
  });

  it("a runner's members keep their own partitions when merged into one step", () => {
    const withM2 = new Map(statuses);
    withM2.set("m2", {
      ...statuses.get("m2")!,
      subsets: subsets({ STALE: UNPARTITIONED }).subsets,
    });
    const prepared = prepareRun(defs, { selection: "m1,m2", partitions: stale }, now, withM2);
    expect(prepared.plan.steps.map((s) => s.key)).toEqual(["r(m1[2024-08-30], m2)"]);
    const members = stepMembers(prepared.plan.steps[0]!);
    expect(members.map((m) => [m.assetKey, m.partitionKeys])).toEqual([
      ["m1", ["2024-08-30"]],
      ["m2", []],
    ]);
  });

  it("a non-contiguous subset of a single-run asset is one step with exactly those keys", () => {
    const gaps = new Map([["m1", subsets({ MISSING: days("2024-08-29", "2024-08-31") })]]);
    const { steps } = prepareRun(defs, { selection: "m1", partitions: stale }, now, gaps).plan;
    expect(steps.map((s) => [s.key, s.partitionKeys])).toEqual([
      ["m1[2024-08-29…2024-08-31]", ["2024-08-29", "2024-08-31"]],
    ]);
  });

  it("nothing stale in the selection: NothingToMaterializeError", () => {
    const e = nothingError(() =>
      prepareRun(defs, { selection: "a,ref", partitions: stale }, now, statuses),
    );
    expect(e.message).toBe("nothing to materialise: every selected asset is fresh");
  });

  it("needs the statuses: without them it is the caller's mistake, not bad input", () => {
    let error: unknown;
    try {
      resolvePartitionRequest(defs, ["a"], stale, now);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LigneeError);
    expect((error as LigneeError).code).toBe("RUNTIME");
  });

  it("is described as stale", () => {
    expect(describePartitionRequest(stale)).toBe("stale");
    expect(describePartitionRequest({ kind: "stale", from: "2024-08-30", to: "2024-08-31" })).toBe(
      "stale in 2024-08-30…2024-08-31",
    );
  });

  it("within a range: only that range's partitions to do, and unpartitioned assets not fresh", () => {
    const lastTwo = { kind: "stale", from: "2024-08-30", to: "2024-08-31" } as const;
    const prepared = prepareRun(defs, { selection: "*", partitions: lastTwo }, now, statuses);
    // b's stale 29th is outside the range; c (unpartitioned, stale) is in.
    expect(prepared.plan.steps.map((s) => s.key)).toEqual(["b[2024-08-31]", "m1[2024-08-30]", "c"]);
    expect(prepared.partitions).toEqual(lastTwo);
    // Every partition of the range fresh, and the unpartitioned assets too: nothing to do.
    const onlyThe29th = { kind: "stale", from: "2024-08-29", to: "2024-08-29" } as const;
    expect(
      nothingError(() =>
        prepareRun(defs, { selection: "a,m1,ref", partitions: onlyThe29th }, now, statuses),
      ).message,
    ).toBe("nothing to materialise: every selected asset is fresh");
    // The range is validated as any range.
    const reversed = { kind: "stale", from: "2024-08-31", to: "2024-08-29" } as const;
    expect(() => prepareRun(defs, { selection: "a", partitions: reversed }, now, statuses)).toThrow(
      /reversed/,
    );
  });
});

describe("a stale request and partitions waiting on upstream", () => {
  const noop = async (): Promise<void> => undefined;
  const daily = dailyPartitions({ start: "2024-08-25" });
  const defs = Definitions.create({
    assets: [
      defineAsset({ key: "raw", partitions: daily, materialize: noop }),
      defineAsset({ key: "model", deps: ["raw"], partitions: daily, materialize: noop }),
    ],
  }) as Definitions<unknown>;
  const summary = (versions: IntervalSet): AssetStorageSummary => ({
    versions: versions.isEmpty
      ? []
      : [{ codeVersion: "1", depsSignature: "", partitions: versions }],
    staleMarks: [],
    failed: IntervalSet.EMPTY,
    running: IntervalSet.EMPTY,
  });
  // raw: only the 31st was collected. model: built for every day (empty where raw is missing).
  const everyDay = IntervalSet.fromRange(day("2024-08-25"), day("2024-08-31") + 1);
  const summaries = new Map<string, AssetStorageSummary>([
    ["raw", summary(days("2024-08-31"))],
    [
      "model",
      {
        ...summary(everyDay),
        versions: [{ codeVersion: "0", depsSignature: "raw", partitions: everyDay }],
      },
    ],
  ]);
  const statuses = computeStatus(defs, summaries, now);

  it("leaves out the partitions waiting on upstream and says how many and why", () => {
    const prepared = prepareRun(
      defs,
      { selection: "model", partitions: { kind: "stale" } },
      now,
      statuses,
    );
    // Only the 31st can be built (its code version changed); the six others wait on raw.
    expect(prepared.plan.steps.map((s) => s.key)).toEqual(["model[2024-08-31]"]);
    expect(prepared.leftOut).toEqual([
      {
        assetKey: "model",
        partitions: 6,
        reason: "upstream raw[2024-08-25, 2024-08-26, 2024-08-27] and 3 more are missing",
      },
    ]);
    expect(describeLeftOut(prepared.leftOut)).toBe(
      "left out 6 partitions of model: upstream raw[2024-08-25, 2024-08-26, 2024-08-27] and 3 more are missing",
    );
  });

  it("nothing but waiting partitions: NothingToMaterializeError that names them", () => {
    const onlyWaiting = new Map(statuses);
    onlyWaiting.set("model", {
      ...statuses.get("model")!,
      subsets: { ...statuses.get("model")!.subsets, STALE: IntervalSet.EMPTY },
    });
    const e = nothingError(() =>
      prepareRun(defs, { selection: "model", partitions: { kind: "stale" } }, now, onlyWaiting),
    );
    expect(e.message).toBe(
      "nothing to materialise: left out 6 partitions of model: upstream raw[2024-08-25, 2024-08-26, 2024-08-27] and 3 more are missing (include their missing upstream to build them)",
    );
  });

  it("an upstream partition the same request builds is not missing: nothing is left out", () => {
    const prepared = prepareRun(
      defs,
      { selection: "raw,model", partitions: { kind: "stale" } },
      now,
      statuses,
    );
    expect(prepared.leftOut).toEqual([]);
    expect(prepared.plan.steps.filter((s) => s.assetKey === "raw")).toHaveLength(6);
    expect(prepared.plan.steps.filter((s) => s.assetKey === "model")).toHaveLength(7);
  });

  it("including missing upstream adds the upstream partitions and leaves nothing out", () => {
    const prepared = prepareRun(
      defs,
      { selection: "model", partitions: { kind: "stale", includeMissingUpstream: true } },
      now,
      statuses,
    );
    expect(prepared.assetKeys).toEqual(["raw", "model"]);
    expect(prepared.leftOut).toEqual([]);
    const counts = new Map(prepared.plan.steps.map((s) => [s.key, s.dependsOn.length]));
    expect(counts.get("raw[2024-08-25]")).toBe(0);
    expect(counts.get("model[2024-08-25]")).toBe(1);
    expect(prepared.plan.steps.filter((s) => s.assetKey === "raw")).toHaveLength(6);
    expect(prepared.plan.steps.filter((s) => s.assetKey === "model")).toHaveLength(7);
  });

  it("the choice survives serialisation (a worker plans the run again)", () => {
    const request = { kind: "stale", includeMissingUpstream: true } as const;
    expect(readPartitionRequest(serializePartitionRequest(request))).toEqual(request);
    expect(serializePartitionRequest({ kind: "stale" })).toEqual({ kind: "stale" });
    expect(partitionRequestFromFields({ stale: true, includeMissingUpstream: true })).toEqual(
      request,
    );
    expect(() =>
      partitionRequestFromFields({ partition: "2024-08-31", includeMissingUpstream: true }),
    ).toThrow("includeMissingUpstream goes with stale");
  });
});
