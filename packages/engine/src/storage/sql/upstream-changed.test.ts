import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../../tests/support/database";
import { IntervalSet } from "../../partitions/interval-set";
import { PostgresStorage } from "../postgres-storage";
import { upstreamChangedWhileRunning } from "./upstream-changed";

/** The rule "upstream changed while running", against a real server. */
let storage: PostgresStorage;
let pool: pg.Pool;

beforeAll(async () => {
  const url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
  pool = new pg.Pool({ connectionString: url, max: 1 });
});

afterAll(async () => {
  await pool.end();
  await storage.close();
});

/** Materialises partitions of an asset in a run of its own; resolves to the new watermark. */
async function materialize(assetKey: string, indices: number[]): Promise<number> {
  const runId = randomUUID();
  await storage.createRun({
    id: runId,
    status: "STARTED",
    selection: assetKey,
    assetKeys: [assetKey],
    partitionSpec: null,
    hostname: "test-host",
    pid: process.pid,
  });
  const ids = await storage.recordMaterialization({
    runId,
    assetKey,
    codeVersion: "1",
    depsSignature: "",
    partitions: indices.map((i) => ({
      key: `k${i}`,
      index: i,
      dataVersion: randomUUID(),
      inputVersions: {},
    })),
    metadata: {},
    invalidates: [],
    readSince: { watermark: 0, upstream: [] },
  });
  return Math.max(...ids);
}

const changed = (
  watermark: number,
  upstream: { assetKey: string; partitions: IntervalSet | "all" }[],
) => upstreamChangedWhileRunning(pool, { watermark, upstream });

describe("upstreamChangedWhileRunning", () => {
  it("names an upstream whose partitions read were materialised after the watermark", async () => {
    const watermark = await materialize("u/read", [1, 2, 3]);
    expect(
      await changed(watermark, [{ assetKey: "u/read", partitions: IntervalSet.single(2) }]),
    ).toEqual([]);
    await materialize("u/read", [2]);
    expect(
      await changed(watermark, [{ assetKey: "u/read", partitions: IntervalSet.single(2) }]),
    ).toEqual(["u/read"]);
  });

  it("ignores changes to partitions the step did not read", async () => {
    const watermark = await materialize("u/other", [1, 2]);
    await materialize("u/other", [2]);
    expect(
      await changed(watermark, [{ assetKey: "u/other", partitions: IntervalSet.single(1) }]),
    ).toEqual([]);
  });

  it("counts any newer partition of an upstream read whole, and none before the watermark", async () => {
    await materialize("u/all", [1, 2]);
    const watermark = await materialize("u/unrelated", [0]);
    expect(await changed(watermark, [{ assetKey: "u/all", partitions: "all" }])).toEqual([]);
    await materialize("u/all", [7]);
    expect(await changed(watermark, [{ assetKey: "u/all", partitions: "all" }])).toEqual(["u/all"]);
  });

  it("answers for several upstream assets in one statement, each named once", async () => {
    const watermark = await materialize("u/a", [1]);
    await materialize("u/b", [1]);
    await materialize("u/a", [1]);
    expect(
      await changed(watermark, [
        { assetKey: "u/b", partitions: IntervalSet.single(1) },
        { assetKey: "u/a", partitions: "all" },
        { assetKey: "u/a", partitions: IntervalSet.single(1) },
        { assetKey: "u/never", partitions: "all" },
      ]),
    ).toEqual(["u/a", "u/b"]);
    expect(await changed(watermark, [])).toEqual([]);
  });
});
