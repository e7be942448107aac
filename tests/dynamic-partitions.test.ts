import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AssetDetailBody,
  computeStatus,
  defineAsset,
  defineSensor,
  Definitions,
  dynamicPartitions,
  DynamicPartitionsBody,
  DynamicPartitionSetsBody,
  executeRun,
  loadDynamicPartitions,
  PostgresAutomationStore,
  prepareRun,
  RunQueue,
  Scheduler,
  Worker,
  type PartitionRequest,
} from "@lignee/engine";
import { openTestApi, type TestApi } from "./support/api";
import { waitFor } from "./support/wait";

/**
 * Dynamic partitions end to end on real PostgreSQL, through the public API: keys added and
 * removed over HTTP, by a sensor and by an asset; status (missing, fresh, stale), runs and
 * backfills over them; removing a key; exact staleness over 1,200 upstream keys.
 */
const files = dynamicPartitions({ name: "sirene_files" });
const many = dynamicPartitions({ name: "many" });
/** What `raw/files` writes for each key: bumping a key's version changes its data version. */
const versions = new Map<string, number>();

const definitions = Definitions.create<unknown>({
  assets: [
    defineAsset({
      key: "raw/files",
      partitions: files,
      materialize: async (ctx) => ({
        dataVersion: `${ctx.partitionKey}:${versions.get(ctx.partitionKey ?? "") ?? 0}`,
      }),
    }),
    defineAsset({
      key: "clean/files",
      partitions: files,
      deps: ["raw/files"],
      materialize: async () => undefined,
    }),
    defineAsset({ key: "mart/files", deps: ["clean/files"], materialize: async () => undefined }),
    defineAsset({
      key: "raw/many",
      partitions: many,
      backfillPolicy: "single-run",
      materialize: async (ctx) => ({
        dataVersion: `${ctx.partitionKeys.length}:${versions.get("many") ?? 0}`,
      }),
    }),
    defineAsset({ key: "mart/many", deps: ["raw/many"], materialize: async () => undefined }),
    defineAsset({
      key: "meta/discover",
      materialize: async (ctx) => {
        const added = await ctx.addDynamicPartitions("sirene_files", ["2024-11", "2024-10"]);
        return { metadata: { added: added.join(",") } };
      },
    }),
    defineAsset({
      key: "meta/bad_set",
      materialize: async (ctx) => {
        await ctx.addDynamicPartitions("nope", ["x"]);
      },
    }),
  ],
  sensors: [
    defineSensor({
      name: "new_sirene_files",
      selection: "raw/files",
      evaluate: async (ctx) => {
        const known = new Set(await ctx.dynamicPartitionKeys("sirene_files"));
        const fresh = ["2024-12", "2025-01"].filter((k) => !known.has(k));
        return {
          dynamicPartitionsRequests: [{ kind: "add", name: "sirene_files", keys: fresh }],
          runRequests: fresh.map((k) => ({ partition: k, runKey: k })),
        };
      },
    }),
    defineSensor({
      name: "bad_requests",
      selection: "raw/files",
      evaluate: () => ({
        cursor: "moved",
        dynamicPartitionsRequests: [
          { kind: "add", name: "sirene_files", keys: ["2030-01"] },
          { kind: "add", name: "nope", keys: ["x"] },
        ],
        runRequests: [{ partition: "2030-01" }],
      }),
    }),
  ],
});

let t: TestApi;

beforeAll(async () => {
  t = await openTestApi(definitions);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

async function materialize(selection: string, partitions: PartitionRequest): Promise<void> {
  const loaded = await loadDynamicPartitions(definitions, t.storage);
  const prepared = prepareRun(loaded, { selection, partitions }, new Date());
  const result = await executeRun({ definitions, storage: t.storage, prepared });
  expect(result.outcome, result.error).toBe("SUCCESS");
}

const send = async (method: "POST" | "DELETE", path: string, body: unknown): Promise<Response> =>
  await t.api.app.request(path, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

async function keys(name: string): Promise<string[]> {
  const res = await t.get(`/api/partitions/${name}/keys`);
  expect(res.status, await res.clone().text()).toBe(200);
  return DynamicPartitionsBody.parse(await res.json()).keys.map((k) => k.key);
}

async function asset(key: string) {
  const res = await t.get(`/api/assets/${key}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return AssetDetailBody.parse(await res.json());
}

async function keyRows(): Promise<number> {
  const r = await t.sql.query<{ n: string }>(
    "SELECT count(*) AS n FROM lignee.dynamic_partition_keys",
  );
  return Number(r.rows[0]!.n);
}

describe("dynamic partitions", () => {
  it("adds keys over the API; bad keys are refused and add nothing", async () => {
    expect(await keys("sirene_files")).toEqual([]);
    const added = await send("POST", "/api/partitions/sirene_files/keys", {
      keys: ["2024-07", "2024-08", "2024-09"],
    });
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({
      name: "sirene_files",
      added: ["2024-07", "2024-08", "2024-09"],
    });
    expect(await keys("sirene_files")).toEqual(["2024-07", "2024-08", "2024-09"]);
    const sets = await t.get("/api/partitions");
    expect(DynamicPartitionSetsBody.parse(await sets.json())).toEqual({
      sets: [
        { name: "many", assets: ["raw/many"], keyCount: 0 },
        { name: "sirene_files", assets: ["raw/files", "clean/files"], keyCount: 3 },
      ],
    });

    const before = await keyRows();
    for (const [body, message] of [
      [{ keys: ["2024-10", "2024-10"] }, /given twice/],
      [{ keys: ["2024-10", "2024-08"] }, /"2024-08" already exists/],
      [{ keys: ["2024-10", ""] }, /empty partition key/],
      [{ keys: ["x".repeat(256)] }, /longer than 255 characters/],
      [{ keys: ["a/b"] }, /contains "\/"/],
      [{ keys: [] }, /at least one key/],
    ] as const) {
      const res = await send("POST", "/api/partitions/sirene_files/keys", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
    const unknown = await send("POST", "/api/partitions/nope/keys", { keys: ["a"] });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(
      /Unknown dynamic partitions set "nope" \(known: many, sirene_files\)/,
    );
    expect(await keyRows()).toBe(before);
    expect(await keys("sirene_files")).toEqual(["2024-07", "2024-08", "2024-09"]);

    // A key with spaces and accents travels URL-encoded.
    const odd = "Stock Établissement 2024";
    expect((await send("POST", "/api/partitions/many/keys", { keys: [odd] })).status).toBe(201);
    const gone = await t.api.app.request(`/api/partitions/many/keys/${encodeURIComponent(odd)}`, {
      method: "DELETE",
    });
    expect(gone.status, await gone.clone().text()).toBe(200);
    expect(await gone.json()).toEqual({ name: "many", removed: [odd] });
    expect(await keys("many")).toEqual([]);
  });

  it("counts the keys never materialised as missing, and refuses keys not in the set", async () => {
    await materialize("raw/files", { kind: "range", from: "2024-07", to: "2024-08" });
    const raw = await asset("raw/files");
    expect(raw.partitionKeys).toEqual(["2024-07", "2024-08", "2024-09"]);
    expect(raw.counts).toMatchObject({ FRESH: 2, MISSING: 1 });
    expect(raw.partitions).toBe("dynamic (sirene_files)");

    const runsBefore = await t.count("runs");
    const res = await t.post("/api/runs", { selection: "raw/files", partition: "2031-01" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /"2031-01" is not one of dynamic partitions "sirene_files"/,
    );
    expect(await t.count("runs")).toBe(runsBefore);
    const detail = await t.get("/api/assets/raw/files/partitions/2031-01");
    expect(detail.status).toBe(404);
  });

  it("marks downstream partitions stale exactly where their upstream changed", async () => {
    await materialize("raw/files", { kind: "single", key: "2024-09" });
    await materialize("clean/files", { kind: "range", from: "2024-07", to: "2024-09" });
    await materialize("mart/files", { kind: "none" });
    expect((await asset("clean/files")).counts).toMatchObject({ FRESH: 3, STALE: 0 });

    versions.set("2024-08", 1);
    await materialize("raw/files", { kind: "single", key: "2024-08" });
    const clean = await asset("clean/files");
    expect(clean.counts).toMatchObject({ FRESH: 2, STALE: 1 });
    expect(clean.ranges.STALE).toEqual([["2024-08", "2024-08"]]);
    expect(clean.causes).toEqual([
      expect.objectContaining({
        kind: "upstream-newer",
        description: "upstream raw/files has newer data",
        ranges: [["2024-08", "2024-08"]],
      }),
    ]);
    expect((await asset("mart/files")).status).toBe("STALE");

    const stale = await t.get("/api/assets/clean/files/partitions/2024-08");
    expect(((await stale.json()) as { status: string }).status).toBe("STALE");
    const fresh = await t.get("/api/assets/clean/files/partitions/2024-09");
    expect(((await fresh.json()) as { status: string }).status).toBe("FRESH");

    // A stale request rebuilds that key alone.
    const loaded = await loadDynamicPartitions(definitions, t.storage);
    const prepared = prepareRun(
      loaded,
      { selection: "clean/files", partitions: { kind: "stale" } },
      new Date(),
      computeStatus(loaded, await t.storage.getAssetSummaries(), new Date()),
    );
    expect(prepared.plan.steps.map((s) => s.partitionKeys)).toEqual([["2024-08"]]);
  });

  it("removes a key: its partition no longer counts, its history stays, adding it again brings it back", async () => {
    const before = await t.storage.listMaterializations("raw/files");
    const removed = await t.api.app.request("/api/partitions/sirene_files/keys/2024-08", {
      method: "DELETE",
    });
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ name: "sirene_files", removed: ["2024-08"] });

    const raw = await asset("raw/files");
    expect(raw.partitionKeys).toEqual(["2024-07", "2024-09"]);
    expect(raw.total).toBe(2);
    expect(raw.counts).toMatchObject({ FRESH: 2, MISSING: 0 });
    // The stale partition of the downstream asset went with its key.
    const clean = await asset("clean/files");
    expect(clean.counts).toMatchObject({ FRESH: 2, STALE: 0 });
    expect(await t.storage.listMaterializations("raw/files")).toHaveLength(before.length);
    expect((await t.get("/api/assets/raw/files/partitions/2024-08")).status).toBe(404);

    // A range over the removed key leaves it out.
    const range = prepareRun(
      await loadDynamicPartitions(definitions, t.storage),
      { selection: "raw/files", partitions: { kind: "range", from: "2024-07", to: "2024-09" } },
      new Date(),
    );
    expect(range.plan.steps.flatMap((s) => s.partitionKeys)).toEqual(["2024-07", "2024-09"]);
    const res = await t.post("/api/runs", { selection: "raw/files", partition: "2024-08" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/was removed/);

    // Removing what is not there removes nothing.
    const bad = await send("DELETE", "/api/partitions/sirene_files/keys", {
      keys: ["2024-07", "2024-08"],
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/"2024-08" not in the set/);
    expect(await keys("sirene_files")).toEqual(["2024-07", "2024-09"]);

    const again = await send("POST", "/api/partitions/sirene_files/keys", { keys: ["2024-08"] });
    expect(again.status).toBe(201);
    expect(await keys("sirene_files")).toEqual(["2024-07", "2024-08", "2024-09"]);
    expect((await asset("clean/files")).counts).toMatchObject({ FRESH: 2, STALE: 1 });
  });

  it("lets an asset add keys when it materialises; an unknown set fails its run", async () => {
    await materialize("meta/discover", { kind: "none" });
    expect(await keys("sirene_files")).toEqual([
      "2024-07",
      "2024-08",
      "2024-09",
      "2024-11",
      "2024-10",
    ]);
    // Again: the keys are there already, nothing is added.
    await materialize("meta/discover", { kind: "none" });
    const [latest] = await t.storage.listMaterializations("meta/discover", { limit: 1 });
    expect(latest?.metadata.added).toBe("");

    const prepared = prepareRun(
      definitions,
      { selection: "meta/bad_set", partitions: { kind: "none" } },
      new Date(),
    );
    const result = await executeRun({ definitions, storage: t.storage, prepared });
    expect(result.outcome).toBe("FAILURE");
    expect(result.error).toMatch(/Unknown dynamic partitions set "nope"/);
  });

  it("lets a sensor add keys and request runs for them, which a worker executes", async () => {
    const store = PostgresAutomationStore.connect(t.url);
    try {
      const scheduler = new Scheduler({
        definitions,
        storage: t.storage,
        store,
        log: () => undefined,
      });
      const report = await scheduler.evaluate(new Date());
      expect(report.errors).toEqual([]);
      const outcome = (name: string) => report.sensors.find((o) => o.sensor === name)!;
      expect(outcome("new_sirene_files")).toMatchObject({ status: "SUCCESS" });
      expect(outcome("new_sirene_files").runIds).toHaveLength(2);
      // A bad request fails the tick: no key of it is added, no run queued, the cursor kept.
      expect(outcome("bad_requests")).toMatchObject({ status: "FAILURE", runIds: [] });
      expect(outcome("bad_requests").message).toMatch(/Unknown dynamic partitions set "nope"/);
      expect(await keys("sirene_files")).not.toContain("2030-01");
      const state = (await store.listStates()).find((s) => s.name === "bad_requests");
      expect(state?.cursor ?? null).toBeNull();
      expect((await keys("sirene_files")).slice(-2)).toEqual(["2024-12", "2025-01"]);
      const runs = await t.storage.listRuns();
      const queued = runs.filter((r) => r.tags.sensor === "new_sirene_files");
      const specs = queued.map((r) => r.partitionSpec as { key: string });
      expect(specs.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        { kind: "single", key: "2024-12" },
        { kind: "single", key: "2025-01" },
      ]);

      const queue = RunQueue.connect(t.url);
      const worker = new Worker({
        definitions,
        storage: t.storage,
        queue,
        environment: { databaseUrl: t.url, home: "" },
        pollMs: 50,
        log: () => undefined,
      });
      await worker.start();
      try {
        await waitFor("the sensor's runs", async () => {
          const ended = (await t.storage.listRuns()).filter(
            (r) =>
              r.tags.sensor === "new_sirene_files" &&
              r.status !== "QUEUED" &&
              r.status !== "STARTED",
          );
          return ended.length === 2 ? ended : undefined;
        });
      } finally {
        await worker.stop();
        await queue.close();
      }
      const runs2 = (await t.storage.listRuns()).filter(
        (r) => r.tags.sensor === "new_sirene_files",
      );
      expect(runs2.map((r) => [r.status, r.error])).toEqual([
        ["SUCCESS", null],
        ["SUCCESS", null],
      ]);
      const raw = await asset("raw/files");
      expect(raw.ranges.FRESH).toContainEqual(["2024-12", "2025-01"]);
    } finally {
      await store.close();
    }
  });

  it("cuts a backfill along the current keys only", async () => {
    await send("DELETE", "/api/partitions/sirene_files/keys", { keys: ["2024-09"] });
    const res = await t.post("/api/backfills", {
      selection: "raw/files",
      from: "2024-07",
      to: "2024-10",
      chunkSize: 2,
      preview: true,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    // 2024-07, 2024-08, 2024-11, 2024-10: the keys between the two, in the order added.
    expect(await res.json()).toMatchObject({
      totalPartitions: 4,
      assets: [{ assetKey: "raw/files", partitions: 4 }],
    });
  });
});

describe("exact staleness over 1,200 dynamic keys", () => {
  it("flags the downstream asset when one of 1,200 upstream keys changes", async () => {
    const names = Array.from({ length: 1200 }, (_, i) => `k${String(i).padStart(4, "0")}`);
    const added = await send("POST", "/api/partitions/many/keys", { keys: names });
    expect(added.status).toBe(201);
    await materialize("raw/many", { kind: "range", from: "k0000", to: "k1199" });
    await materialize("mart/many", { kind: "none" });
    expect((await asset("raw/many")).counts).toMatchObject({ FRESH: 1200 });
    expect((await asset("mart/many")).status).toBe("FRESH");
    const [first] = await t.storage.listMaterializations("mart/many", { limit: 1 });
    expect(first?.inputVersions["raw/many"]).toMatch(/^digest:-?\d+:1200$/);

    versions.set("many", 1);
    await materialize("raw/many", { kind: "single", key: "k0600" });
    const mart = await asset("mart/many");
    expect(mart.status).toBe("STALE");
    expect(mart.causes).toEqual([
      expect.objectContaining({
        kind: "upstream-newer",
        description: "upstream raw/many has newer data",
      }),
    ]);
    await materialize("mart/many", { kind: "none" });
    expect((await asset("mart/many")).status).toBe("FRESH");
    const [second] = await t.storage.listMaterializations("mart/many", { limit: 1 });
    expect(second?.inputVersions["raw/many"]).not.toBe(first?.inputVersions["raw/many"]);
  });
});
