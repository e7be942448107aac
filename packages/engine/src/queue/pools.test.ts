import { describe, expect, it } from "vitest";
import { defineAsset } from "../definitions/asset";
import { Definitions } from "../definitions/definitions";
import { limitsFromEnv, poolsOf } from "./pools";
import { limitsFor, queueSettingsFromEnv } from "./settings";

const noop = async (): Promise<void> => undefined;

describe("concurrency limits", () => {
  it("reads the global limit and the pools from the environment", () => {
    expect(
      limitsFromEnv({ LIGNEE_MAX_CONCURRENT_RUNS: "4", LIGNEE_POOLS: "ft=1, dbt = 2" }),
    ).toEqual({ maxConcurrentRuns: 4, pools: { ft: 1, dbt: 2 } });
    expect(limitsFromEnv({})).toEqual({ maxConcurrentRuns: 20, pools: {} });
  });

  it("refuses malformed values with the variable's name", () => {
    expect(() => limitsFromEnv({ LIGNEE_POOLS: "ft" })).toThrow(
      /LIGNEE_POOLS: "ft" is not NAME=LIMIT/,
    );
    expect(() => limitsFromEnv({ LIGNEE_POOLS: "ft=0" })).toThrow(/positive integer/);
    expect(() => queueSettingsFromEnv({ LIGNEE_LEASE_MS: "abc" })).toThrow(/LIGNEE_LEASE_MS/);
  });

  it("takes a run's pools from its assets' pool tag; the environment overrides the definitions' limits", () => {
    const definitions = Definitions.create({
      assets: [
        defineAsset({ key: "a", tags: { pool: "ft" }, materialize: noop }),
        defineAsset({ key: "b", deps: ["a"], tags: { pool: "dbt" }, materialize: noop }),
        defineAsset({ key: "c", materialize: noop }),
      ],
      pools: { ft: 1, dbt: 3 },
    });
    expect(poolsOf(definitions, ["a", "b", "c"])).toEqual(["dbt", "ft"]);
    expect(poolsOf(definitions, ["c"])).toEqual([]);
    const settings = queueSettingsFromEnv({ LIGNEE_POOLS: "dbt=1" });
    expect(limitsFor(definitions.pools, settings).pools).toEqual({ ft: 1, dbt: 1 });
  });

  it("refuses a pool limit that is not a positive integer in the definitions", () => {
    expect(() =>
      Definitions.create({
        assets: [defineAsset({ key: "a", materialize: noop })],
        pools: { ft: 0 },
      }),
    ).toThrow(/pool "ft"/);
  });
});
