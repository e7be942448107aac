import { describe, expect, it } from "vitest";
import { DefinitionError } from "../errors";
import { dailyPartitions, staticPartitions } from "../partitions/definition";
import { defineAsset, type AssetOptions } from "./asset";
import { Definitions } from "./definitions";
import { formatDuration, parseDuration } from "./freshness-policy";

const noop = async (): Promise<void> => undefined;
const daily = dailyPartitions({ start: "2024-05-23" });

const create = (...assets: Partial<AssetOptions<unknown>>[]) =>
  Definitions.create({
    assets: assets.map((a, i) => defineAsset<unknown>({ key: `a${i}`, materialize: noop, ...a })),
  });

function problemsOf(...assets: Partial<AssetOptions<unknown>>[]): string[] {
  try {
    create(...assets);
  } catch (error) {
    expect(error).toBeInstanceOf(DefinitionError);
    return (error as DefinitionError).problems as string[];
  }
  throw new Error("expected a DefinitionError");
}

describe("parseDuration", () => {
  it.each([
    ["30m", 1_800_000],
    ["2h", 7_200_000],
    ["1h30m", 5_400_000],
    ["1h 30m", 5_400_000],
    ["90s", 90_000],
    ["1d", 86_400_000],
    ["500ms", 500],
    ["1.5h", 5_400_000],
    [60_000, 60_000],
  ] as const)("reads %j", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "2", "2 hours", "h", "-1h", "0m", 0, -5, Number.NaN, Infinity])(
    "rejects %j",
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it("formats back", () => {
    expect(formatDuration(5_400_000)).toBe("1h30m");
    expect(formatDuration(86_400_000 + 1_000)).toBe("1d1s");
    expect(formatDuration(250)).toBe("250ms");
  });
});

describe("freshness in Definitions", () => {
  it("resolves a deadline (Europe/Paris by default) and a maxLag", () => {
    const defs = create(
      { partitions: daily, freshness: { deadline: "0 7 * * *" } },
      { freshness: { maxLag: "2h" } },
      {},
    );
    expect(defs.freshnessPolicy("a0")).toEqual({
      kind: "deadline",
      deadline: "0 7 * * *",
      timezone: "Europe/Paris",
    });
    expect(defs.freshnessPolicy("a1")).toEqual({
      kind: "max-lag",
      maxLagMs: 7_200_000,
      maxLag: "2h",
    });
    expect(defs.freshnessPolicy("a2")).toBeUndefined();
  });

  it("rejects bad crons, timezones, lags and policies that do not fit, naming each asset", () => {
    const problems = problemsOf(
      { partitions: daily, freshness: { deadline: "0 25 * * *" } },
      { partitions: daily, freshness: { deadline: "0 7 * * *", timezone: "Mars/Olympus" } },
      { freshness: { maxLag: "soon" } },
      { partitions: daily, freshness: { maxLag: "2h" } },
      { freshness: { deadline: "0 7 * * *" } },
      { partitions: staticPartitions(["fr"]), freshness: { deadline: "0 7 * * *" } },
      { partitions: daily, freshness: { deadline: "0 7 * * *", maxLag: "1h" } as never },
    );
    expect(problems).toHaveLength(7);
    expect(problems[0]).toMatch(/^asset "a0": freshness deadline: invalid cron expression "0 25/);
    expect(problems[1]).toBe('asset "a1": freshness deadline: unknown timezone "Mars/Olympus"');
    expect(problems[2]).toMatch(/^asset "a2": freshness: invalid maxLag "soon"/);
    expect(problems[3]).toMatch(/^asset "a3": freshness: maxLag applies to unpartitioned assets/);
    expect(problems[4]).toMatch(/^asset "a4": freshness: a deadline needs daily partitions/);
    expect(problems[5]).toMatch(/^asset "a5": .*static partitions have no time/);
    expect(problems[6]).toMatch(/^asset "a6": freshness must have either a deadline/);
  });
});
