import { describe, expect, it } from "vitest";
import { Definitions } from "../definitions/definitions";
import { buildExampleDefinitions } from "../examples/example-definitions";
import { parseDateKey } from "../partitions/calendar";
import { IntervalSet } from "../partitions/interval-set";
import { UNPARTITIONED } from "../partitions/mapping";
import { computeStatus } from "../status/asset-status";
import type { AssetStorageSummary } from "../storage/storage";
import { eagerDecision, type EagerDecision } from "./eager";

/** Paris is on 2024-09-01: daily partitions run to 2024-08-31. */
const now = new Date("2024-09-01T12:00:00Z");
const day = (key: string): number => parseDateKey(key)!;
const days = (from: string, to: string = from): IntervalSet =>
  IntervalSet.fromRange(day(from), day(to) + 1);

/** The example pipeline with eager automation on everything that has dependencies. */
const definitions = Definitions.create({
  assets: buildExampleDefinitions().assets.map((a) =>
    a.key === "staging/events_clean" || a.key === "marts/summary"
      ? { ...a, automation: "eager" as const }
      : a,
  ),
}) as Definitions<unknown>;

const SIG: Record<string, string> = {
  "raw/events": "",
  "staging/events_clean": "raw/events",
  "ref/countries": "",
  "marts/summary": "ref/countries,staging/events_clean",
};

function built(
  key: string,
  partitions: IntervalSet,
  extra: Partial<AssetStorageSummary> = {},
  codeVersion = "1",
): [string, AssetStorageSummary] {
  return [
    key,
    {
      versions: [{ codeVersion, depsSignature: SIG[key]!, partitions }],
      staleMarks: [],
      failed: IntervalSet.EMPTY,
      running: IntervalSet.EMPTY,
      ...extra,
    },
  ];
}

/** Everything built for 2024-08-01 … 2024-08-03. */
const settled = (): Map<string, AssetStorageSummary> =>
  new Map([
    built("raw/events", days("2024-08-01", "2024-08-03")),
    built("staging/events_clean", days("2024-08-01", "2024-08-03")),
    built("ref/countries", UNPARTITIONED),
    built("marts/summary", UNPARTITIONED),
  ]);

function decide(
  summaries: Map<string, AssetStorageSummary>,
  options: { active?: string[]; disabled?: string[] } = {},
): EagerDecision {
  return eagerDecision({
    definitions,
    statuses: computeStatus(definitions, summaries, now),
    activeAssets: new Set(options.active ?? []),
    disabled: new Set(options.disabled ?? []),
    now,
  });
}

describe("eagerDecision", () => {
  it("asks for nothing when everything downstream is fresh", () => {
    expect(decide(settled())).toEqual({
      kind: "skip",
      reason: "nothing downstream of new data to materialise",
    });
  });

  it("a re-materialised upstream day: that day downstream and the mart, in one run", () => {
    const s = settled();
    // raw/events 2024-08-02 was materialised again: staging's day is marked stale.
    s.set("staging/events_clean", {
      ...s.get("staging/events_clean")!,
      staleMarks: [{ upstreamKey: "raw/events", partitions: days("2024-08-02") }],
    });
    const d = decide(s);
    expect(d).toMatchObject({
      kind: "run",
      selection: "staging/events_clean,marts/summary",
      assetKeys: ["staging/events_clean", "marts/summary"],
      partitions: { kind: "single", key: "2024-08-02" },
    });
    if (d.kind !== "run") throw new Error("expected a run");
    expect(d.targets.get("staging/events_clean")!.equals(days("2024-08-02"))).toBe(true);
    expect(d.targets.get("marts/summary")!.equals(UNPARTITIONED)).toBe(true);
  });

  it("a new upstream day: the missing day downstream (its upstream exists) and the mart", () => {
    const s = settled();
    s.set("raw/events", built("raw/events", days("2024-08-01", "2024-08-04"))[1]);
    const d = decide(s);
    // Days since 2024-05-23 that raw/events never had are not asked for: only 2024-08-04.
    expect(d).toMatchObject({
      kind: "run",
      selection: "staging/events_clean,marts/summary",
      partitions: { kind: "single", key: "2024-08-04" },
    });
  });

  it("several days make a range", () => {
    const s = settled();
    s.set("raw/events", built("raw/events", days("2024-08-01", "2024-08-06"))[1]);
    expect(decide(s)).toMatchObject({
      kind: "run",
      partitions: { kind: "range", from: "2024-08-04", to: "2024-08-06" },
    });
  });

  it("asks for what is stale when that is exactly the targets", () => {
    const s = settled();
    // ref/countries materialised again: only the (unpartitioned) mart is stale.
    s.set("marts/summary", {
      ...s.get("marts/summary")!,
      staleMarks: [{ upstreamKey: "ref/countries", partitions: UNPARTITIONED }],
    });
    expect(decide(s)).toMatchObject({
      kind: "run",
      selection: "marts/summary",
      partitions: { kind: "stale" },
    });
  });

  it("waits while the asset or anything upstream of it is queued or running", () => {
    const s = settled();
    s.set("raw/events", built("raw/events", days("2024-08-01", "2024-08-04"))[1]);
    expect(decide(s, { active: ["raw/events"] })).toEqual({
      kind: "skip",
      reason: "waiting for the runs of raw/events",
    });
    expect(decide(s, { active: ["staging/events_clean"] })).toEqual({
      kind: "skip",
      reason: "waiting for the runs of staging/events_clean",
    });
    // A run downstream does not hold back what is upstream of it.
    expect(decide(s, { active: ["marts/summary"] })).toMatchObject({
      kind: "run",
      selection: "staging/events_clean",
      partitions: { kind: "single", key: "2024-08-04" },
    });
  });

  it("leaves disabled assets alone", () => {
    const s = settled();
    s.set("raw/events", built("raw/events", days("2024-08-01", "2024-08-04"))[1]);
    expect(decide(s, { disabled: ["marts/summary"] })).toMatchObject({
      kind: "run",
      selection: "staging/events_clean",
    });
  });

  it("never loops on what a rebuild does not fix: code changes, failures, missing upstream", () => {
    const s = settled();
    // staging's code changed (stale, not eager's business), a day failed, and ref is missing.
    s.set("staging/events_clean", {
      ...built("staging/events_clean", days("2024-08-01", "2024-08-03"), {}, "0")[1],
      failed: days("2024-08-04"),
    });
    s.set("raw/events", built("raw/events", days("2024-08-01", "2024-08-04"))[1]);
    s.delete("ref/countries");
    expect(decide(s)).toEqual({
      kind: "skip",
      reason: "nothing downstream of new data to materialise",
    });
  });
});
