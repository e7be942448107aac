import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  computeStatus,
  dailyPartitions,
  describeCause,
  defineAsset,
  Definitions,
  executeRun,
  multiPartitions,
  PostgresStorage,
  prepareRun,
  RunQueue,
  staleSelection,
  staticPartitions,
  type PartitionRequest,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";

/**
 * Stored partition subsets are indices: a change of an asset's partitions that gives the stored
 * indices other keys (a static key added to two-dimensional partitions) is refused loudly,
 * naming the asset, instead of scrambling its history. A change that keeps them (a key added at
 * the end of one-dimensional static partitions) is not.
 */
const daily = dailyPartitions({ start: "2024-08-01" });

const definitionsWith = (regions: string[]): Definitions<unknown> =>
  Definitions.create<unknown>({
    assets: [
      defineAsset({
        key: "grid",
        partitions: multiPartitions({ date: daily, region: staticPartitions(regions) }),
        materialize: async () => undefined,
      }),
      defineAsset({
        key: "regions",
        partitions: staticPartitions(regions),
        materialize: async () => undefined,
      }),
    ],
  });

let storage: PostgresStorage;
let url: string;

beforeAll(async () => {
  url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
});

afterAll(async () => {
  await storage?.close();
});

async function materialize(
  definitions: Definitions<unknown>,
  selection: string,
  partitions: PartitionRequest,
) {
  const prepared = prepareRun(definitions, { selection, partitions }, new Date());
  return executeRun({ definitions, storage, prepared });
}

describe("a change of partitions that moves stored indices", () => {
  it("is refused when a static key is added to two-dimensional partitions", async () => {
    const before = definitionsWith(["84", "93"]);
    const grid = { kind: "range", from: "2024-08-01|84", to: "2024-08-02|93" } as const;
    const r0 = await materialize(before, "grid", grid);
    expect(r0.outcome, r0.error).toBe("SUCCESS");
    expect(
      (await materialize(before, "regions", { kind: "range", from: "84", to: "93" })).outcome,
    ).toBe("SUCCESS");

    const after = definitionsWith(["84", "93", "11"]);
    const summaries = await storage.getAssetSummaries();
    // The changed asset alone gets the cause; the rest of the graph is computed as usual.
    const changed = computeStatus(after, summaries, new Date());
    const gridStatus = changed.get("grid")!;
    expect(gridStatus.status).toBe("MISSING");
    expect(gridStatus.counts.FRESH).toBe(0);
    expect(gridStatus.held.size).toBe(gridStatus.total);
    expect(gridStatus.causes.map((c) => [c.kind, describeCause(c)])).toEqual([
      [
        "partitions-changed",
        expect.stringMatching(/partitions changed since its history was written.*new asset key/),
      ],
    ]);
    expect(changed.get("regions")!.counts.FRESH).toBe(2);
    // Stale requests leave it out, naming why, instead of building what would be refused.
    expect(() => staleSelection(after, ["grid"], changed, new Date())).toThrow(
      /partitions changed since its history was written/,
    );

    const run = await materialize(after, "grid", { kind: "single", key: "2024-08-03|11" });
    expect(run.outcome).toBe("FAILURE");
    expect(run.error).toMatch(/asset grid: its partitions changed/);

    // The old definition still reads its history as it was written.
    const status = computeStatus(before, await storage.getAssetSummaries(), new Date());
    expect(status.get("grid")!.counts.FRESH).toBe(4);
  });

  it("is not refused when a key is added at the end of one-dimensional static partitions", async () => {
    const after = Definitions.create<unknown>({
      assets: [
        defineAsset({
          key: "regions",
          partitions: staticPartitions(["84", "93", "11"]),
          materialize: async () => undefined,
        }),
      ],
    });
    const status = computeStatus(after, await storage.getAssetSummaries(), new Date());
    expect(status.get("regions")!.counts).toMatchObject({ FRESH: 2, MISSING: 1 });
    expect((await materialize(after, "regions", { kind: "single", key: "11" })).outcome).toBe(
      "SUCCESS",
    );
  });
});

describe("processes still on the definitions before a key was added at the end", () => {
  const regionsWith = (regions: string[], materialize = async () => undefined) =>
    Definitions.create<unknown>({
      assets: [defineAsset({ key: "regions", partitions: staticPartitions(regions), materialize })],
    });

  it("write the keys they know without shrinking the recorded layout", async () => {
    // The store records ["84", "93", "11"] (the test above); a run planned before the reload
    // knows ["84", "93"] only.
    const old = await materialize(regionsWith(["84", "93"]), "regions", {
      kind: "single",
      key: "93",
    });
    expect(old.outcome, old.error).toBe("SUCCESS");
    // Had the record shrunk to ["84", "93"], this would be accepted.
    const other = regionsWith(["84", "93", "22"]);
    expect(
      computeStatus(other, await storage.getAssetSummaries(), new Date())
        .get("regions")!
        .causes.map((c) => c.kind),
    ).toEqual(["partitions-changed"]);
  });

  it("have a run refused before its user code when the layout changed", async () => {
    let called = 0;
    const other = regionsWith(["84", "93", "22"], async () => {
      called += 1;
    });
    const run = await materialize(other, "regions", { kind: "single", key: "84" });
    expect(run.outcome).toBe("FAILURE");
    expect(run.error).toMatch(/asset regions: its partitions changed/);
    expect(called).toBe(0);
  });
});

describe("an asset made unpartitioned for a while", () => {
  const flipWith = (keys: string[] | undefined) =>
    Definitions.create<unknown>({
      assets: [
        defineAsset({
          key: "flip",
          ...(keys ? { partitions: staticPartitions(keys) } : {}),
          materialize: async () => undefined,
        }),
      ],
    });

  it("keeps the partitioned layout it had, so that reordered keys are still refused", async () => {
    const first = await materialize(flipWith(["a", "b"]), "flip", {
      kind: "range",
      from: "a",
      to: "b",
    });
    expect(first.outcome, first.error).toBe("SUCCESS");
    const flat = await materialize(flipWith(undefined), "flip", { kind: "none" });
    expect(flat.outcome, flat.error).toBe("SUCCESS");

    const reordered = flipWith(["b", "a"]);
    const status = computeStatus(reordered, await storage.getAssetSummaries(), new Date());
    expect(status.get("flip")!.causes.map((c) => c.kind)).toEqual(["partitions-changed"]);
    const run = await materialize(reordered, "flip", { kind: "single", key: "a" });
    expect(run.outcome).toBe("FAILURE");
    expect(run.error).toMatch(/asset flip: its partitions changed/);

    // The keys as they were are still accepted.
    const back = await materialize(flipWith(["a", "b", "c"]), "flip", { kind: "single", key: "c" });
    expect(back.outcome, back.error).toBe("SUCCESS");
  });

  it("may get partitions when it never had any", async () => {
    const never = Definitions.create<unknown>({
      assets: [defineAsset({ key: "never", materialize: async () => undefined })],
    });
    expect((await materialize(never, "never", { kind: "none" })).outcome).toBe("SUCCESS");
    const later = Definitions.create<unknown>({
      assets: [
        defineAsset({
          key: "never",
          partitions: staticPartitions(["x", "y"]),
          materialize: async () => undefined,
        }),
      ],
    });
    const run = await materialize(later, "never", { kind: "single", key: "y" });
    expect(run.outcome, run.error).toBe("SUCCESS");
  });
});

describe("the layout a process confirmed", () => {
  it("is taken as confirmed only once the materialisation that recorded it committed", async () => {
    const queue = RunQueue.connect(url);
    try {
      const id = await queue.enqueue({
        selection: "cached",
        assetKeys: ["cached"],
        partitions: { kind: "none" },
      });
      const limits = { maxConcurrentRuns: 100, pools: {} };
      expect((await queue.claim("w1", { leaseMs: 60_000, limits }))?.id).toBe(id);
      const worker = storage.fenced({ runId: id, workerId: "w1" });
      const input = (partitionsLayout: string, index: number) => ({
        runId: id,
        assetKey: "cached",
        codeVersion: "1",
        depsSignature: "",
        partitionsLayout,
        partitions: [{ key: "a", index, dataVersion: "v", inputVersions: {} }],
        metadata: {},
        invalidates: [],
        readSince: { watermark: 0, upstream: [] },
      });
      // The layout is confirmed in the transaction, then the write fails: nothing is recorded.
      await expect(
        worker.recordMaterialization(input('static:["a","b"]', 2 ** 31)),
      ).rejects.toThrow();
      // Another process records other keys meanwhile.
      await storage.recordMaterialization(input('static:["b","a"]', 0));
      await expect(worker.recordMaterialization(input('static:["a","b"]', 0))).rejects.toThrow(
        /asset cached: its partitions changed/,
      );
    } finally {
      await queue.close();
    }
  });
});
