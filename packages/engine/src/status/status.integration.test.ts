import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { defineAsset } from "../definitions/asset";
import { Definitions } from "../definitions/definitions";
import { executeRun, prepareRun } from "../execution/launch";
import { dailyPartitions } from "../partitions/definition";
import type { PartitionRequest } from "../planning/partition-request";
import { PostgresStorage } from "../storage/postgres-storage";
import { computeStatus } from "./asset-status";

/**
 * Staleness across many partitions, end to end on real PostgreSQL: an unpartitioned asset that
 * reads every partition of a daily asset turns STALE when any one of 1,500 upstream partitions
 * is re-materialised (Dagster stops tracking past 100 partitions).
 */
let storage: PostgresStorage;

beforeAll(async () => {
  storage = PostgresStorage.connect(await createTestDatabase());
});

afterAll(async () => {
  await storage.close();
});

const daily = dailyPartitions({ start: "2020-01-01" });
const definitions = Definitions.create({
  assets: [
    defineAsset({
      key: "wide/days",
      partitions: daily,
      backfillPolicy: "single-run",
      materialize: async (ctx) => ({ metadata: { days: ctx.partitionKeys.length } }),
    }),
    defineAsset({ key: "wide/total", deps: ["wide/days"], materialize: async () => undefined }),
  ],
}) as Definitions<unknown>;

const materialize = async (selection: string, partitions: PartitionRequest): Promise<void> => {
  const prepared = prepareRun(definitions, { selection, partitions }, new Date());
  const result = await executeRun({ definitions, storage, prepared });
  expect(result.outcome).toBe("SUCCESS");
};

describe("staleness over an all-partitions dependency", () => {
  it("flags the downstream asset when one of 1,500 upstream partitions changes", async () => {
    await materialize("wide/days", { kind: "range", from: "2020-01-01", to: "2024-02-08" });
    await materialize("wide/total", { kind: "none" });
    let status = computeStatus(definitions, await storage.getAssetSummaries(), new Date());
    expect(status.get("wide/days")?.counts.FRESH).toBe(1500);
    expect(status.get("wide/total")?.status).toBe("FRESH");
    const [first] = await storage.listMaterializations("wide/total", { limit: 1 });
    expect(first?.inputVersions["wide/days"]).toMatch(/^digest:-?\d+:1500$/);

    await materialize("wide/days", { kind: "single", key: "2022-06-15" });
    status = computeStatus(definitions, await storage.getAssetSummaries(), new Date());
    expect(status.get("wide/total")?.status).toBe("STALE");
    expect(status.get("wide/total")?.causes).toEqual([
      expect.objectContaining({ kind: "upstream-newer", upstream: "wide/days" }),
    ]);

    await materialize("wide/total", { kind: "none" });
    status = computeStatus(definitions, await storage.getAssetSummaries(), new Date());
    expect(status.get("wide/total")?.status).toBe("FRESH");
    const [second] = await storage.listMaterializations("wide/total", { limit: 1 });
    expect(second?.inputVersions["wide/days"]).not.toBe(first?.inputVersions["wide/days"]);
  });
});
