import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  computeStatus,
  dailyPartitions,
  defineAsset,
  Definitions,
  executeRun,
  multiPartitions,
  partitionKeys,
  PostgresStorage,
  prepareBackfill,
  prepareRun,
  staticPartitions,
  statusesFor,
  type MaterializeRequest,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";
import { inProcess } from "./support/in-process";

/**
 * Two-dimensional partitions (day × région) end to end on real PostgreSQL: a daily asset feeds
 * a (day, région) one, which feeds a daily summary and an unpartitioned total.
 */
const daily = dailyPartitions({ start: "2024-08-01" });
const grid = multiPartitions({ date: daily, region: staticPartitions(["11", "84", "93"]) });

const calls: { asset: string; keys: readonly string[]; window?: { start: Date; end: Date } }[] = [];
const record =
  (asset: string) =>
  async (ctx: {
    partitionKeys: readonly string[];
    partitionTimeWindow: { start: Date; end: Date } | undefined;
  }): Promise<undefined> => {
    calls.push({
      asset,
      keys: ctx.partitionKeys,
      ...(ctx.partitionTimeWindow ? { window: ctx.partitionTimeWindow } : {}),
    });
    return undefined;
  };

const definitions = Definitions.create({
  assets: [
    defineAsset({ key: "raw/days", partitions: daily, materialize: record("raw/days") }),
    defineAsset({
      key: "regions/days",
      partitions: grid,
      deps: ["raw/days"],
      materialize: record("regions/days"),
    }),
    defineAsset({
      key: "summary/days",
      partitions: daily,
      deps: ["regions/days"],
      materialize: record("summary/days"),
    }),
    defineAsset({ key: "summary/all", deps: ["regions/days"], materialize: async () => undefined }),
  ],
}) as Definitions<unknown>;

let storage: PostgresStorage;

beforeAll(async () => {
  storage = PostgresStorage.connect(await createTestDatabase());
});

afterAll(async () => {
  await storage.close();
});

const { materialize, staleKeys } = inProcess(definitions, () => storage);

describe("day × région partitions", () => {
  it("materialise, then follow one upstream day to exactly its three régions", async () => {
    await materialize("raw/days", { kind: "range", from: "2024-08-01", to: "2024-08-03" });
    await materialize("regions/days", {
      kind: "range",
      from: "2024-08-01|11",
      to: "2024-08-03|93",
    });
    await materialize("summary/days", { kind: "range", from: "2024-08-01", to: "2024-08-03" });
    await materialize("summary/all", { kind: "none" });
    const cells = calls.filter((c) => c.asset === "regions/days").flatMap((c) => c.keys);
    expect(cells).toHaveLength(9);
    expect(cells).toContain("2024-08-02|84");
    const status = computeStatus(definitions, await storage.getAssetSummaries(), new Date());
    expect(status.get("regions/days")?.counts.FRESH).toBe(9);
    expect(Object.values(await staleKeys()).flat()).toEqual([]);

    await materialize("raw/days", { kind: "single", key: "2024-08-02" });
    expect(await staleKeys()).toEqual({
      "raw/days": [],
      "regions/days": ["2024-08-02|11", "2024-08-02|84", "2024-08-02|93"],
      "summary/days": ["2024-08-02"],
      "summary/all": [""],
    });

    // One région rebuilt: the summary of its day now reads newer data from it.
    calls.length = 0;
    await materialize("regions/days", { kind: "single", key: "2024-08-02|84" });
    expect(calls).toEqual([
      {
        asset: "regions/days",
        keys: ["2024-08-02|84"],
        window: { start: new Date("2024-08-01T22:00:00Z"), end: new Date("2024-08-02T22:00:00Z") },
      },
    ]);
    expect((await staleKeys())["regions/days"]).toEqual(["2024-08-02|11", "2024-08-02|93"]);

    // What is stale, planned: the two other régions of that day, then the summaries.
    const request: MaterializeRequest = {
      selection: "regions/days+",
      partitions: { kind: "stale" },
    };
    const now = new Date();
    const prepared = prepareRun(
      definitions,
      request,
      now,
      await statusesFor(definitions, storage, request, now),
    );
    const planned: Record<string, string[]> = {};
    for (const s of prepared.plan.steps) (planned[s.assetKey] ??= []).push(...s.partitionKeys);
    expect(planned["regions/days"]).toEqual(["2024-08-02|11", "2024-08-02|93"]);
    // The summary's stale day, and the days never built whose régions are missing are left out.
    expect(planned["summary/days"]).toEqual(["2024-08-02"]);
    await executeRun({ definitions, storage, prepared });
    expect(Object.values(await staleKeys()).flat()).toEqual([]);
  });

  it("leave a day's summary waiting while one of its régions is missing", async () => {
    await materialize("raw/days", { kind: "single", key: "2024-08-04" });
    await materialize("regions/days", { kind: "single", key: "2024-08-04|11" });
    const status = computeStatus(definitions, await storage.getAssetSummaries(), new Date());
    expect(partitionKeys(daily, status.get("summary/days")!.waiting)[0]).toBe("2024-08-04");
    const cause = status
      .get("summary/days")!
      .causes.find((c) => c.kind === "upstream-missing" && c.upstream === "regions/days");
    expect(cause && "missingKeys" in cause ? cause.missingKeys : []).toEqual([
      "2024-08-04|84",
      "2024-08-04|93",
      "2024-08-05|11",
    ]);
  });

  it("cut a backfill of (day, région) keys into runs", () => {
    const prepared = prepareBackfill(
      definitions,
      { selection: "regions/days", from: "2024-08-01|11", to: "2024-08-04|93", chunkSize: 6 },
      new Date(),
    );
    expect(prepared.partitionCount).toBe(12);
    expect(prepared.chunks.map((c) => [c.from, c.to])).toEqual([
      ["2024-08-01|11", "2024-08-02|93"],
      ["2024-08-03|11", "2024-08-04|93"],
    ]);
  });
});
