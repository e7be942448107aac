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
