import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defineAsset,
  defineSensor,
  Definitions,
  dynamicPartitions,
  executeRun,
  loadDynamicPartitions,
  PostgresAutomationStore,
  PostgresStorage,
  prepareRun,
  Scheduler,
  type SensorResult,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";

/**
 * A sensor's dynamic partitions requests on real PostgreSQL: all applied or none, checked before
 * anything is written (whatever user code returns at run time), and safe to apply again after
 * a failed tick.
 */
const set = dynamicPartitions({ name: "files" });
/** What the sensor returns next (user code: typed loosely on purpose). */
let next: unknown = {};

const definitions = Definitions.create<unknown>({
  assets: [
    defineAsset({ key: "raw/files", partitions: set, materialize: async () => undefined }),
    defineAsset({
      key: "meta/adds",
      materialize: async (ctx) => {
        await ctx.addDynamicPartitions("files", next as string[]);
      },
    }),
  ],
  sensors: [
    defineSensor({
      name: "files_sensor",
      selection: "raw/files",
      evaluate: () => next as SensorResult,
    }),
  ],
});

let storage: PostgresStorage;
let store: PostgresAutomationStore;

beforeAll(async () => {
  const url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
  store = PostgresAutomationStore.connect(url);
});

afterAll(async () => {
  await store.close();
  await storage.close();
});

async function keys(): Promise<readonly string[]> {
  return (await storage.readDynamicPartitions(["files"])).dynamicPartitionKeys("files").keys;
}

async function tick(result: unknown) {
  next = result;
  const scheduler = new Scheduler({ definitions, storage, store, log: () => undefined });
  const report = await scheduler.evaluate(new Date());
  expect(report.errors).toEqual([]);
  const outcome = report.sensors.find((o) => o.sensor === "files_sensor")!;
  const state = (await store.listStates()).find((s) => s.name === "files_sensor");
  return { outcome, cursor: state?.cursor ?? null };
}

describe("a sensor's dynamic partitions requests", () => {
  it("are applied all together or not at all", async () => {
    await storage.addDynamicPartitions("files", ["x", "y"]);
    const failed = await tick({
      cursor: "c1",
      dynamicPartitionsRequests: [
        { kind: "add", name: "files", keys: ["a"] },
        { kind: "remove", name: "files", keys: ["x"] },
        { kind: "add", name: "files", keys: ["bad/key"] },
      ],
    });
    expect(failed.outcome.status).toBe("FAILURE");
    expect(failed.outcome.message).toMatch(/"bad\/key"/);
    expect(failed.cursor).toBeNull();
    expect(await keys()).toEqual(["x", "y"]);

    const done = await tick({
      cursor: "c1",
      dynamicPartitionsRequests: [
        { kind: "add", name: "files", keys: ["a"] },
        { kind: "remove", name: "files", keys: ["x"] },
      ],
    });
    expect(done.outcome.status).not.toBe("FAILURE");
    expect(done.cursor).toBe("c1");
    expect(await keys()).toEqual(["y", "a"]);
  });

  it("can be applied again: removing a key already gone, adding one there, is no error", async () => {
    const again = await tick({
      cursor: "c2",
      dynamicPartitionsRequests: [
        { kind: "add", name: "files", keys: ["a"] },
        { kind: "remove", name: "files", keys: ["x", "zz"] },
      ],
    });
    expect(again.outcome.status).not.toBe("FAILURE");
    expect(again.cursor).toBe("c2");
    expect(await keys()).toEqual(["y", "a"]);
  });

  it("are checked at run time: an unknown kind, keys that are not a list", async () => {
    const unknownKind = await tick({
      dynamicPartitionsRequests: [
        { kind: "add", name: "files", keys: ["b"] },
        { kind: "delete", name: "files", keys: ["y"] },
      ],
    });
    expect(unknownKind.outcome.status).toBe("FAILURE");
    expect(unknownKind.outcome.message).toMatch(/"delete"/);

    const stringKeys = await tick({
      dynamicPartitionsRequests: [{ kind: "add", name: "files", keys: "abc" }],
    });
    expect(stringKeys.outcome.status).toBe("FAILURE");
    expect(stringKeys.outcome.message).toMatch(/list of keys/);

    const notAList = await tick({ dynamicPartitionsRequests: { kind: "add" } });
    expect(notAList.outcome.status).toBe("FAILURE");
    expect(await keys()).toEqual(["y", "a"]);
  });

  it("an asset adding keys given as a string fails its run and adds nothing", async () => {
    next = "abc";
    const loaded = await loadDynamicPartitions(definitions, storage);
    const prepared = prepareRun(
      loaded,
      { selection: "meta/adds", partitions: { kind: "none" } },
      new Date(),
    );
    const result = await executeRun({ definitions, storage, prepared });
    expect(result.outcome).toBe("FAILURE");
    expect(result.error).toMatch(/list of keys/);
    expect(await keys()).toEqual(["y", "a"]);
  });
});
