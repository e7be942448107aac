import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  computeStatus,
  dailyPartitions,
  defineAsset,
  Definitions,
  executeRun,
  partitionKeys,
  PostgresStorage,
  prepareRun,
  type PartitionRequest,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";

/**
 * Daily partitions in two timezones on real PostgreSQL: the dependency gets a time window by
 * default, compared as instants, so that a UTC day follows the two Paris days it overlaps.
 */
const paris = dailyPartitions({ start: "2024-01-01", timezone: "Europe/Paris" });
const utc = dailyPartitions({ start: "2024-01-01", timezone: "UTC" });
let version = 0;

const definitions = Definitions.create<unknown>({
  assets: [
    defineAsset({
      key: "paris/days",
      partitions: paris,
      materialize: async (ctx) => ({ dataVersion: `${ctx.partitionKey}:${version}` }),
    }),
    defineAsset({
      key: "utc/days",
      partitions: utc,
      deps: ["paris/days"],
      materialize: async () => undefined,
    }),
  ],
});

let storage: PostgresStorage;

beforeAll(async () => {
  storage = PostgresStorage.connect(await createTestDatabase());
});

afterAll(async () => {
  await storage?.close();
});

const now = new Date();

async function materialize(selection: string, partitions: PartitionRequest): Promise<void> {
  const prepared = prepareRun(definitions, { selection, partitions }, now);
  const result = await executeRun({ definitions, storage, prepared });
  expect(result.outcome, result.error).toBe("SUCCESS");
}

describe("daily partitions in Paris feeding daily partitions in UTC", () => {
  it("make a UTC day read, and go stale with, the two Paris days it overlaps", async () => {
    const range = { kind: "range", from: "2024-01-10", to: "2024-01-20" } as const;
    await materialize("paris/days", range);
    await materialize("utc/days", { kind: "range", from: "2024-01-10", to: "2024-01-19" });
    let status = computeStatus(definitions, await storage.getAssetSummaries(), now);
    expect(partitionKeys(utc, status.get("utc/days")!.subsets.STALE)).toEqual([]);

    version = 1;
    await materialize("paris/days", { kind: "single", key: "2024-01-15" });
    status = computeStatus(definitions, await storage.getAssetSummaries(), now);
    // UTC day 14 ends at 01:00 on Paris day 15; UTC day 15 starts inside it.
    expect(partitionKeys(utc, status.get("utc/days")!.subsets.STALE)).toEqual([
      "2024-01-14",
      "2024-01-15",
    ]);
  });
});
