import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defineAsset,
  Definitions,
  dynamicPartitions,
  executeRun,
  loadDynamicPartitions,
  PostgresStorage,
  prepareRun,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";
import { connectSql } from "./support/sql";
import type pg from "pg";

/**
 * A run reads its dynamic partition keys as it starts: when that read fails (storage trouble),
 * the run fails and says so, instead of staying STARTED until its lease expires.
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
let sql: pg.Client;

beforeAll(async () => {
  const url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
  sql = await connectSql(url);
});

afterAll(async () => {
  await sql?.end();
  await storage?.close();
});

describe("a run whose dynamic keys cannot be read as it starts", () => {
  it("fails, and its row says so", async () => {
    await storage.addDynamicPartitions("files", ["a"]);
    const prepared = prepareRun(
      await loadDynamicPartitions(definitions, storage),
      { selection: "raw/files", partitions: { kind: "single", key: "a" } },
      new Date(),
    );
    await sql.query("ALTER TABLE lignee.dynamic_partition_sets RENAME TO sets_away");
    try {
      const result = await executeRun({ definitions, storage, prepared });
      expect(result.outcome).toBe("FAILURE");
      expect(result.error).toMatch(/could not complete/);
      const run = (await storage.listRuns()).find((r) => r.id === result.runId);
      expect(run?.status).toBe("FAILURE");
    } finally {
      await sql.query("ALTER TABLE lignee.sets_away RENAME TO dynamic_partition_sets");
    }
  });
});
