import {
  dailyPartitions,
  defineAsset,
  Definitions,
  computeStatus,
  executeRun,
  hourlyPartitions,
  monthlyPartitions,
  multiPartitions,
  partitionIndex,
  partitionKey,
  prepareRun,
  PostgresStorage,
  staticPartitions,
  weeklyPartitions,
  type PartitionRequest,
  type PartitionsDefinition,
} from "@lignee/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/database";

/**
 * Exact staleness over 1,000+ upstream partitions, for every time kind and for two-dimensional
 * partitions (dynamic partitions have theirs in dynamic-partitions.test.ts): an unpartitioned
 * asset reading every partition of a wide asset is FRESH once built, turns STALE when any one
 * upstream partition is materialised again, and records a digest of what it read rather than a
 * list (Dagster stops tracking past 100 partitions).
 */
let storage: PostgresStorage;

beforeAll(async () => {
  storage = PostgresStorage.connect(await createTestDatabase());
});

afterAll(async () => {
  await storage.close();
});

interface Case {
  readonly kind: string;
  readonly partitions: PartitionsDefinition;
  readonly from: string;
  /** Partitions from `from` on: the range materialised. */
  readonly count: number;
  /** A partition inside the range, materialised again. */
  readonly again: string;
}

const REGIONS = ["11", "84", "93"];

const cases: readonly Case[] = [
  {
    // Across the autumn change of clocks: 2025-10-26 has 25 hours in Paris.
    kind: "hourly",
    partitions: hourlyPartitions({ start: "2025-10-01" }),
    from: "2025-10-01-00:00",
    count: 1_500,
    again: "2025-10-26-02:00+01:00",
  },
  {
    kind: "weekly",
    partitions: weeklyPartitions({ start: "2000-01-03" }),
    from: "2000-01-03",
    count: 1_000,
    again: "2010-06-14",
  },
  {
    kind: "monthly",
    partitions: monthlyPartitions({ start: "1930-01-01" }),
    from: "1930-01-01",
    count: 1_000,
    again: "1975-03-01",
  },
  {
    kind: "two-dimensional",
    partitions: multiPartitions({
      date: dailyPartitions({ start: "2020-01-01" }),
      region: staticPartitions(REGIONS),
    }),
    from: `2020-01-01|${REGIONS[0]}`,
    count: 500 * REGIONS.length,
    again: "2020-07-14|84",
  },
];

describe.each(cases)("exact staleness over $count $kind partitions", (c) => {
  const wide = `${c.kind}/wide`;
  const total = `${c.kind}/total`;
  const definitions = Definitions.create({
    assets: [
      defineAsset({
        key: wide,
        partitions: c.partitions,
        backfillPolicy: "single-run",
        materialize: async () => undefined,
      }),
      defineAsset({ key: total, deps: [wide], materialize: async () => undefined }),
    ],
  }) as Definitions<unknown>;

  const materialize = async (selection: string, partitions: PartitionRequest): Promise<void> => {
    const prepared = prepareRun(definitions, { selection, partitions }, new Date());
    const result = await executeRun({ definitions, storage, prepared });
    expect(result.outcome).toBe("SUCCESS");
  };
  const statusOf = async (key: string) =>
    computeStatus(definitions, await storage.getAssetSummaries(), new Date()).get(key);

  it("turns the reader STALE when one of them changes, and FRESH once rebuilt", async () => {
    const now = new Date();
    const to = partitionKey(c.partitions, partitionIndex(c.partitions, c.from, now) + c.count - 1);
    await materialize(wide, { kind: "range", from: c.from, to });
    expect((await statusOf(wide))?.counts.FRESH).toBe(c.count);
    await materialize(total, { kind: "none" });
    expect((await statusOf(total))?.status).toBe("FRESH");
    const [first] = await storage.listMaterializations(total, { limit: 1 });
    expect(first?.inputVersions[wide]).toMatch(new RegExp(`^digest:-?\\d+:${c.count}$`));

    await materialize(wide, { kind: "single", key: c.again });
    const stale = await statusOf(total);
    expect(stale?.status).toBe("STALE");
    expect(stale?.causes).toEqual([
      expect.objectContaining({ kind: "upstream-newer", upstream: wide }),
    ]);

    await materialize(total, { kind: "none" });
    expect((await statusOf(total))?.status).toBe("FRESH");
    const [second] = await storage.listMaterializations(total, { limit: 1 });
    expect(second?.inputVersions[wide]).not.toBe(first?.inputVersions[wide]);
  });
});
