import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BACKFILL_MAX_ATTEMPTS,
  backfillRunId,
  defineAsset,
  Definitions,
  dynamicPartitions,
  loadDynamicPartitions,
  PostgresBackfillStore,
  PostgresStorage,
  prepareBackfill,
  resumeBackfill,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";

/**
 * A dynamic backfill whose creation was interrupted, then a key removed before it is resumed:
 * resuming cuts the same chunks (fixed ranges of key indices), so that no key is skipped or
 * backfilled twice.
 */
const definitions = Definitions.create<unknown>({
  assets: [
    defineAsset({
      key: "raw/files",
      partitions: dynamicPartitions({ name: "files" }),
      materialize: async () => undefined,
    }),
  ],
});

let storage: PostgresStorage;
let store: PostgresBackfillStore;
let sql: pg.Client;

beforeAll(async () => {
  const url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
  store = PostgresBackfillStore.connect(url);
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});

afterAll(async () => {
  await sql.end();
  await store.close();
  await storage.close();
});

describe("resuming a dynamic backfill", () => {
  it("queues the same chunks after a key was removed", async () => {
    await storage.addDynamicPartitions("files", ["a", "b", "c", "d", "e", "f"]);
    const now = new Date();
    const prepared = prepareBackfill(
      await loadDynamicPartitions(definitions, storage),
      { selection: "raw/files", from: "a", to: "f", chunkSize: 2 },
      now,
    );
    expect(prepared.chunks.map((c) => [c.from, c.to])).toEqual([
      ["a", "b"],
      ["c", "d"],
      ["e", "f"],
    ]);
    // The creation stopped after the first run.
    const id = randomUUID();
    await store.createBackfill({
      id,
      selection: prepared.selection,
      fromKey: prepared.fromKey,
      toKey: prepared.toKey,
      chunkSize: prepared.chunkSize,
      totalChunks: prepared.chunks.length,
      tags: {},
    });
    const template = {
      selection: prepared.selection,
      assetKeys: prepared.assetKeys,
      pools: [],
      maxAttempts: BACKFILL_MAX_ATTEMPTS,
      tags: {},
    };
    const first = prepared.chunks[0]!;
    await store.enqueueChunks(id, template, [{ ...first, runId: backfillRunId(id, 0) }]);

    await storage.removeDynamicPartitions("files", ["b"]);
    const resumed = await resumeBackfill(
      await loadDynamicPartitions(definitions, storage),
      store,
      id,
      now,
    );
    expect(resumed.status).toBe("RUNNING");
    const runs = await sql.query<{ partition_spec: { from: string; to: string } }>(
      "SELECT partition_spec FROM lignee.runs WHERE backfill_id = $1 ORDER BY id",
      [id],
    );
    const ranges = runs.rows.map((r) => [r.partition_spec.from, r.partition_spec.to]);
    expect(ranges.sort()).toEqual([
      ["a", "b"],
      ["c", "d"],
      ["e", "f"],
    ]);
  });
});

describe("resuming a dynamic backfill whose keys were removed", () => {
  /** Prepares a backfill of a..f in chunks of 2 over `set`, and queues its first run only. */
  async function interrupted(set: string) {
    const defs = Definitions.create<unknown>({
      assets: [
        defineAsset({
          key: `raw/${set}`,
          partitions: dynamicPartitions({ name: set }),
          materialize: async () => undefined,
        }),
      ],
    });
    await storage.addDynamicPartitions(set, ["a", "b", "c", "d", "e", "f"]);
    const prepared = prepareBackfill(
      await loadDynamicPartitions(defs, storage),
      { selection: `raw/${set}`, from: "a", to: "f", chunkSize: 2 },
      new Date(),
    );
    const id = randomUUID();
    await store.createBackfill({
      id,
      selection: prepared.selection,
      fromKey: prepared.fromKey,
      toKey: prepared.toKey,
      chunkSize: prepared.chunkSize,
      totalChunks: prepared.chunks.length,
      tags: {},
    });
    await store.enqueueChunks(
      id,
      {
        selection: prepared.selection,
        assetKeys: prepared.assetKeys,
        pools: [],
        maxAttempts: BACKFILL_MAX_ATTEMPTS,
        tags: {},
      },
      [{ ...prepared.chunks[0]!, runId: backfillRunId(id, 0) }],
    );
    const resume = async () =>
      resumeBackfill(await loadDynamicPartitions(defs, storage), store, id, new Date());
    return { id, resume };
  }

  const rangesOf = async (id: string) =>
    (
      await sql.query<{ partition_spec: { from: string; to: string } }>(
        "SELECT partition_spec FROM lignee.runs WHERE backfill_id = $1",
        [id],
      )
    ).rows
      .map((r) => [r.partition_spec.from, r.partition_spec.to])
      .sort();

  it("queues the chunks that still have keys when a whole chunk's keys are gone", async () => {
    const { id, resume } = await interrupted("emptied");
    await storage.removeDynamicPartitions("emptied", ["c", "d"]);
    const resumed = await resume();
    expect(resumed.status).toBe("RUNNING");
    expect(resumed.totalChunks).toBe(2);
    expect(await rangesOf(id)).toEqual([
      ["a", "b"],
      ["e", "f"],
    ]);
  });

  it("queues the rest of the range when its last key is gone", async () => {
    const { id, resume } = await interrupted("lastgone");
    await storage.removeDynamicPartitions("lastgone", ["f"]);
    const resumed = await resume();
    expect(resumed.status).toBe("RUNNING");
    expect(await rangesOf(id)).toEqual([
      ["a", "b"],
      ["c", "d"],
      ["e", "e"],
    ]);
  });

  it("finishes with the runs it has when no key of the rest is left", async () => {
    const { id, resume } = await interrupted("allgone");
    await storage.removeDynamicPartitions("allgone", ["a", "b", "c", "d", "e", "f"]);
    const resumed = await resume();
    expect(resumed.status).not.toBe("REQUESTED");
    expect(resumed.totalChunks).toBe(1);
    expect(await rangesOf(id)).toEqual([["a", "b"]]);
  });
});
