import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  computeStatus,
  defineAsset,
  Definitions,
  dynamicPartitions,
  executeRun,
  loadDynamicPartitions,
  PostgresAutomationStore,
  PostgresStorage,
  prepareRun,
  RunQueue,
  Scheduler,
  Worker,
  type PartitionRequest,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";
import { waitFor } from "./support/wait";

/**
 * Eager automation over dynamic partitions, on real PostgreSQL: a downstream asset of the same
 * set follows its upstream key by key, and leaves alone the keys whose upstream partition was
 * never materialised.
 */
const regions = dynamicPartitions({ name: "regions" });
let version = 0;

const definitions = Definitions.create<unknown>({
  assets: [
    defineAsset({
      key: "raw/regions",
      partitions: regions,
      materialize: async (ctx) => ({ dataVersion: `${ctx.partitionKey}:${version}` }),
    }),
    defineAsset({
      key: "mart/regions",
      partitions: regions,
      deps: ["raw/regions"],
      automation: "eager",
      materialize: async () => undefined,
    }),
  ],
});

let url: string;
let storage: PostgresStorage;
let store: PostgresAutomationStore;

beforeAll(async () => {
  url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
  store = PostgresAutomationStore.connect(url);
});

afterAll(async () => {
  await store.close();
  await storage.close();
});

async function materialize(selection: string, partitions: PartitionRequest): Promise<void> {
  const loaded = await loadDynamicPartitions(definitions, storage);
  const prepared = prepareRun(loaded, { selection, partitions }, new Date());
  const result = await executeRun({ definitions, storage, prepared });
  expect(result.outcome, result.error).toBe("SUCCESS");
}

/**
 * One evaluation of the scheduler, then the eager run it queued executed by a worker: the
 * partitions of `mart/regions` that run materialised.
 */
async function eagerRun(): Promise<string[]> {
  const scheduler = new Scheduler({ definitions, storage, store, log: () => undefined });
  const report = await scheduler.evaluate(new Date());
  expect(report.errors).toEqual([]);
  const runId = report.eager?.runId;
  if (!runId) return [];
  const queue = RunQueue.connect(url);
  const worker = new Worker({
    definitions,
    storage,
    queue,
    environment: { databaseUrl: url, home: "" },
    pollMs: 50,
    log: () => undefined,
  });
  await worker.start();
  try {
    const run = await waitFor("the eager run", async () => {
      const r = await storage.getRun(runId);
      return r && r.status !== "QUEUED" && r.status !== "STARTED" ? r : undefined;
    });
    expect([run.status, run.error]).toEqual(["SUCCESS", null]);
  } finally {
    await worker.stop();
    await queue.close();
  }
  const built = await storage.listMaterializations("mart/regions");
  return built
    .filter((m) => m.runId === runId)
    .map((m) => m.partitionKey)
    .sort();
}

const statusOf = async (key: string) => {
  const loaded = await loadDynamicPartitions(definitions, storage);
  return computeStatus(loaded, await storage.getAssetSummaries(), new Date()).get(key)!;
};

describe("eager automation over dynamic partitions", () => {
  it("follows the upstream keys that changed, and waits for those never built upstream", async () => {
    await storage.addDynamicPartitions("regions", ["bretagne", "corse", "occitanie"]);
    await materialize("raw/regions", { kind: "range", from: "bretagne", to: "corse" });
    expect(await eagerRun()).toEqual(["bretagne", "corse"]);
    let mart = await statusOf("mart/regions");
    expect(mart.counts).toMatchObject({ FRESH: 2, MISSING: 1 });
    expect(mart.waiting.size).toBe(1);

    version = 1;
    await materialize("raw/regions", { kind: "single", key: "corse" });
    expect((await statusOf("mart/regions")).counts).toMatchObject({ FRESH: 1, STALE: 1 });
    expect(await eagerRun()).toEqual(["corse"]);
    mart = await statusOf("mart/regions");
    expect(mart.counts).toMatchObject({ FRESH: 2, STALE: 0, MISSING: 1 });
    // Nothing more to follow.
    expect(await eagerRun()).toEqual([]);
  });
});

describe("a queued run for a key removed meanwhile", () => {
  it("fails when a worker plans it, naming the key", async () => {
    await storage.addDynamicPartitions("regions", ["normandie"]);
    const queue = RunQueue.connect(url);
    const worker = new Worker({
      definitions,
      storage,
      queue,
      environment: { databaseUrl: url, home: "" },
      pollMs: 50,
      log: () => undefined,
    });
    try {
      const runId = await queue.enqueue({
        selection: "raw/regions",
        assetKeys: ["raw/regions"],
        partitions: { kind: "single", key: "normandie" },
      });
      await storage.removeDynamicPartitions("regions", ["normandie"]);
      await worker.start();
      const run = await waitFor("the run's end", async () => {
        const r = await storage.getRun(runId);
        return r && r.status !== "QUEUED" && r.status !== "STARTED" ? r : undefined;
      });
      expect(run.status).toBe("FAILURE");
      expect(run.error).toMatch(
        /cannot be planned: .*"normandie" was removed from dynamic partitions "regions"/,
      );
    } finally {
      await worker.stop();
      await queue.close();
    }
  });
});
