import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IntervalSet } from "../partitions/interval-set";
import type { MaterializationInput, Storage } from "./storage";

/** A storage to run the contract against, on a fresh database it alone uses. */
export interface StorageUnderTest {
  readonly storage: Storage;
  /** The database behind it: the contract checks some tables and query plans directly. */
  readonly databaseUrl: string;
}

/**
 * The storage contract: what every implementation of `Storage` must do, as a suite of tests
 * against a real PostgreSQL server. An implementation's test file calls it with a factory
 * (Dagster's `TestEventLogStorage`, subclassed per implementation):
 *
 * @example
 * storageContract("PostgresStorage", async () => {
 *   const databaseUrl = await createTestDatabase();
 *   return { storage: PostgresStorage.connect(databaseUrl), databaseUrl };
 * });
 */
export function storageContract(name: string, open: () => Promise<StorageUnderTest>): void {
  describe(name, () => {
    let url: string;
    let storage: Storage;
    let sql: pg.Client;

    beforeAll(async () => {
      ({ storage, databaseUrl: url } = await open());
      sql = new pg.Client({ connectionString: url });
      await sql.connect();
    });

    afterAll(async () => {
      await sql.end();
      await storage.close();
    });

    const newRun = async (
      status: "STARTED" | "QUEUED" = "STARTED",
      pid = process.pid,
    ): Promise<string> => {
      const id = randomUUID();
      await storage.createRun({
        id,
        status,
        selection: "a",
        assetKeys: ["a"],
        partitionSpec: { kind: "none" },
        hostname: "test-host",
        pid,
      });
      return id;
    };

    const materialize = (
      runId: string,
      assetKey: string,
      indices: number[],
      extra: Partial<MaterializationInput> = {},
    ): Promise<number[]> =>
      storage.recordMaterialization({
        runId,
        assetKey,
        codeVersion: "1",
        depsSignature: "",
        partitions: indices.map((i) => ({
          key: `k${i}`,
          index: i,
          dataVersion: `v-${runId}-${i}`,
          inputVersions: {},
        })),
        metadata: { rows: 10 },
        invalidates: [],
        readSince: { watermark: 0, upstream: [] },
        ...extra,
      });

    describe("runs and events", () => {
      it("creates, reads, lists and finishes runs", async () => {
        const id = await newRun("STARTED");
        const run = await storage.getRun(id);
        expect(run).toMatchObject({
          id,
          status: "STARTED",
          selection: "a",
          assetKeys: ["a"],
          hostname: "test-host",
        });
        expect(run?.startedAt).toBeInstanceOf(Date);
        expect(run?.endedAt).toBeNull();
        await storage.setRunStatus(id, "FAILURE", "boom");
        const done = await storage.getRun(id);
        expect(done).toMatchObject({ status: "FAILURE", error: "boom" });
        expect(done?.endedAt).toBeInstanceOf(Date);
        expect(await storage.getRun(randomUUID())).toBeUndefined();
        const listed = await storage.listRuns({ status: "FAILURE" });
        expect(listed.map((r) => r.id)).toContain(id);
        expect(listed.every((r) => r.status === "FAILURE")).toBe(true);
      });

      it("lists the runs of one asset, newest first, through the GIN index on asset_keys", async () => {
        const create = async (assetKeys: string[], status: "STARTED" | "QUEUED" = "STARTED") => {
          const id = randomUUID();
          await storage.createRun({
            id,
            status,
            selection: assetKeys.join(","),
            assetKeys,
            partitionSpec: { kind: "none" },
            hostname: "test-host",
            pid: process.pid,
          });
          return id;
        };
        const both = await create(["filter/a", "filter/b"]);
        const onlyB = await create(["filter/b"], "QUEUED");
        const onlyC = await create(["filter/c"]);
        expect((await storage.listRuns({ assetKey: "filter/b" })).map((r) => r.id)).toEqual([
          onlyB,
          both,
        ]);
        expect((await storage.listRuns({ assetKey: "filter/c" })).map((r) => r.id)).toEqual([
          onlyC,
        ]);
        expect(
          (await storage.listRuns({ assetKey: "filter/b", status: "QUEUED" })).map((r) => r.id),
        ).toEqual([onlyB]);
        expect(
          (await storage.listRuns({ assetKey: "filter/b", limit: 1 })).map((r) => r.id),
        ).toEqual([onlyB]);
        // Whole keys only: no prefix or substring matches.
        expect(await storage.listRuns({ assetKey: "filter" })).toEqual([]);
        expect(await storage.listRuns({ assetKey: 'filter/a"]' })).toEqual([]);

        // With sequential scans discouraged, the containment query must have an index to use.
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          await c.query("SET enable_seqscan = off");
          const explained = await c.query<{ "QUERY PLAN": string }>(
            `EXPLAIN SELECT id FROM lignee.runs WHERE asset_keys @> '["filter/b"]'::jsonb`,
          );
          expect(explained.rows.map((r) => r["QUERY PLAN"]).join("\n")).toContain(
            "runs_asset_keys_idx",
          );
        } finally {
          await c.end();
        }
      });

      it("lists the runs whose id starts with a prefix", async () => {
        const ids = [
          "5eed0001-aaaa-4000-8000-000000000001",
          "5eed0001-bbbb-4000-8000-000000000002",
        ];
        for (const id of ids) {
          await storage.createRun({
            id,
            status: "SUCCESS",
            selection: "a",
            assetKeys: ["a"],
            partitionSpec: null,
            hostname: "test-host",
            pid: 1,
          });
        }
        const listed = async (idPrefix: string) =>
          (await storage.listRuns({ idPrefix })).map((r) => r.id).sort();
        expect(await listed("5eed0001")).toEqual(ids);
        expect(await listed("5eed0001aa")).toEqual([ids[0]]);
        expect(await listed("5eed0001bbbb4")).toEqual([ids[1]]);
        expect(await listed("5eed0002")).toEqual([]);
      });

      it("keeps events in order and pages after an id", async () => {
        const id = await newRun();
        const at = new Date();
        await storage.appendEvents(id, [
          { type: "RUN_START", level: "info", message: "one", timestamp: at },
          {
            type: "LOG",
            level: "warn",
            message: "two",
            stepKey: "a",
            assetKey: "a",
            partitionKey: "k1",
            timestamp: at,
          },
        ]);
        await storage.appendEvents(id, [
          { type: "RUN_SUCCESS", level: "info", message: "three", data: { n: 1 }, timestamp: at },
        ]);
        const events = await storage.listEvents(id);
        expect(events.map((e) => e.message)).toEqual(["one", "two", "three"]);
        expect(events[1]).toMatchObject({
          type: "LOG",
          level: "warn",
          stepKey: "a",
          assetKey: "a",
          partitionKey: "k1",
        });
        expect(events[2]?.data).toEqual({ n: 1 });
        const after = await storage.listEvents(id, { afterId: events[0]!.id });
        expect(after.map((e) => e.message)).toEqual(["two", "three"]);
      });
    });

    describe("materialisations and roll-ups", () => {
      it("groups materialised partitions by code version and moves them on re-materialisation", async () => {
        const run = await newRun();
        await materialize(run, "versions", [1, 2, 3, 4]);
        await materialize(run, "versions", [2, 3], { codeVersion: "2" });
        const summary = (await storage.getAssetSummaries()).get("versions")!;
        const byVersion = Object.fromEntries(
          summary.versions.map((v) => [v.codeVersion, v.partitions.toJSON()]),
        );
        expect(byVersion).toEqual({
          "1": [
            [1, 2],
            [4, 5],
          ],
          "2": [[2, 4]],
        });
        const latest = await sql.query(
          `SELECT partition_index, code_version FROM lignee.asset_partitions WHERE asset_key = 'versions' ORDER BY 1`,
        );
        expect(latest.rows).toEqual([
          { partition_index: 1, code_version: "1" },
          { partition_index: 2, code_version: "2" },
          { partition_index: 3, code_version: "2" },
          { partition_index: 4, code_version: "1" },
        ]);
        const history = await storage.listMaterializations("versions");
        expect(history).toHaveLength(6);
        expect(history[0]).toMatchObject({
          assetKey: "versions",
          codeVersion: "2",
          metadata: { rows: 10 },
        });
      });

      it("lists the newest materialisation of each partition with latestPerPartition", async () => {
        const first = await newRun();
        const [a1, b1] = await materialize(first, "latest", [1, 2]);
        const second = await newRun();
        const [a2] = await materialize(second, "latest", [1]);
        const [c1] = await materialize(second, "latest", [3]);
        const all = await storage.listMaterializations("latest");
        expect(all.map((m) => m.id)).toEqual([c1, a2, b1, a1]);
        const latest = await storage.listMaterializations("latest", { latestPerPartition: true });
        expect(latest.map((m) => [m.id, m.partitionKey, m.runId])).toEqual([
          [c1, "k3", second],
          [a2, "k1", second],
          [b1, "k2", first],
        ]);
        expect(latest[0]).toMatchObject({
          assetKey: "latest",
          codeVersion: "1",
          metadata: { rows: 10 },
        });
        expect(latest[0]?.createdAt).toBeInstanceOf(Date);
        const limited = await storage.listMaterializations("latest", {
          latestPerPartition: true,
          limit: 2,
        });
        expect(limited.map((m) => m.id)).toEqual([c1, a2]);
        expect(await storage.listMaterializations("latest", { limit: 1 })).toHaveLength(1);
        expect(await storage.listMaterializations("nothing", { latestPerPartition: true })).toEqual(
          [],
        );
      });

      it("lists the materialisations of one partition, newest first", async () => {
        const first = await newRun();
        const [a1] = await materialize(first, "one", [1, 2]);
        const second = await newRun();
        const [a2] = await materialize(second, "one", [1]);
        const ofOne = await storage.listMaterializations("one", { partitionIndex: 1 });
        expect(ofOne.map((m) => [m.id, m.partitionKey, m.runId])).toEqual([
          [a2, "k1", second],
          [a1, "k1", first],
        ]);
        expect(
          (await storage.listMaterializations("one", { partitionIndex: 1, limit: 1 })).map(
            (m) => m.id,
          ),
        ).toEqual([a2]);
        expect(await storage.listMaterializations("one", { partitionIndex: 3 })).toEqual([]);
      });

      it("tells when each asset was last materialised", async () => {
        const before = new Date(Date.now() - 1_000);
        await materialize(await newRun(), "last-a", [1, 2]);
        const lastA = (await storage.lastMaterializedAt()).get("last-a");
        await materialize(await newRun(), "last-a", [1]);
        const times = await storage.lastMaterializedAt();
        expect(lastA!.getTime()).toBeGreaterThan(before.getTime());
        expect(times.get("last-a")!.getTime()).toBeGreaterThanOrEqual(lastA!.getTime());
        const newest = await sql.query(
          `SELECT max(created_at) AS at FROM lignee.materializations WHERE asset_key = 'last-a'`,
        );
        expect(times.get("last-a")).toEqual(newest.rows[0].at);
        expect(times.has("never-materialised")).toBe(false);
      });

      it("maintains the digest as the XOR of the current partition hashes", async () => {
        const run = await newRun();
        await materialize(run, "digest", [10, 11, 12]);
        const other = await newRun();
        await materialize(other, "digest", [11]);
        const digest = await storage.getDigest("digest");
        const expected = await sql.query(
          `SELECT bit_xor(version_hash)::text AS x, count(*)::int AS n FROM lignee.asset_partitions WHERE asset_key = 'digest'`,
        );
        expect(digest?.digest).toBe(expected.rows[0].x);
        expect(digest?.partitionCount).toBe(3);
        const before = digest!.digest;
        await materialize(await newRun(), "digest", [12]);
        expect((await storage.getDigest("digest"))?.digest).not.toBe(before);
      });

      it("marks downstream partitions stale and clears the marks when they are rebuilt", async () => {
        const run = await newRun();
        await materialize(run, "down", [1, 2, 3]);
        await materialize(run, "up", [2], {
          invalidates: [{ assetKey: "down", partitions: IntervalSet.single(2) }],
        });
        let marks = (await storage.getAssetSummaries()).get("down")!.staleMarks;
        expect(marks.map((m) => [m.upstreamKey, m.partitions.toJSON()])).toEqual([
          ["up", [[2, 3]]],
        ]);
        await materialize(await newRun(), "down", [2]);
        marks = (await storage.getAssetSummaries()).get("down")?.staleMarks ?? [];
        expect(marks).toEqual([]);
      });

      it("marks an output stale when its upstream changed while it was being computed", async () => {
        const run = await newRun();
        await materialize(run, "src", [5, 6]);
        const watermark = await storage.markRunning(run, "dst", IntervalSet.single(5));
        await materialize(await newRun(), "src", [5]); // upstream changes mid-step
        await materialize(run, "dst", [5], {
          readSince: {
            watermark,
            upstream: [{ assetKey: "src", partitions: IntervalSet.single(5) }],
          },
        });
        const marks = (await storage.getAssetSummaries()).get("dst")!.staleMarks;
        expect(marks.map((m) => [m.upstreamKey, m.partitions.toJSON()])).toEqual([
          ["src", [[5, 6]]],
        ]);

        // A change to another partition, or to the whole asset before the watermark, does not count.
        const w2 = await storage.markRunning(run, "dst2", IntervalSet.single(6));
        await materialize(await newRun(), "src", [5]);
        await materialize(run, "dst2", [6], {
          readSince: {
            watermark: w2,
            upstream: [{ assetKey: "src", partitions: IntervalSet.single(6) }],
          },
        });
        expect((await storage.getAssetSummaries()).get("dst2")!.staleMarks).toEqual([]);
        const w3 = await storage.markRunning(run, "dst3", IntervalSet.single(0));
        await materialize(run, "dst3", [0], {
          readSince: { watermark: w3, upstream: [{ assetKey: "src", partitions: "all" }] },
        });
        expect((await storage.getAssetSummaries()).get("dst3")!.staleMarks).toEqual([]);
      });

      it("claims partitions all or none; a live run's claim excludes others, a dead run's does not", async () => {
        const first = await newRun();
        const second = await newRun();
        const claim = (run: string, assetKey: string, from: number, to: number) =>
          storage.claimPartitions(run, [{ assetKey, partitions: IntervalSet.fromRange(from, to) }]);
        expect(await claim(first, "claimed", 0, 5)).toMatchObject({ claimed: true });
        // Overlapping partitions are refused and the holder named, with what it holds of them.
        const refused = await storage.claimPartitions(second, [
          { assetKey: "claimed-other", partitions: IntervalSet.single(0) },
          { assetKey: "claimed", partitions: IntervalSet.fromRange(3, 8) },
        ]);
        expect(refused.claimed).toBe(false);
        if (!refused.claimed) {
          expect(refused.holder.runId).toBe(first);
          expect(refused.holder.assetKey).toBe("claimed");
          expect(refused.holder.partitions.toJSON()).toEqual([[3, 5]]);
        }
        // All or none: the free asset of the refused claim was not marked either.
        expect((await storage.getAssetSummaries()).get("claimed-other")).toBeUndefined();
        // Other partitions, and the holder itself claiming more, are fine.
        expect(await claim(second, "claimed", 5, 8)).toMatchObject({ claimed: true });
        expect(await claim(first, "claimed", 0, 2)).toMatchObject({ claimed: true });
        // Once the holder has ended, its leftover marks no longer hold anyone back.
        await storage.setRunStatus(first, "FAILURE", "gone");
        expect(await claim(second, "claimed", 0, 5)).toMatchObject({ claimed: true });
      });

      it("tracks running and failed partitions", async () => {
        const run = await newRun();
        await storage.markRunning(run, "attempts", IntervalSet.fromRange(1, 5));
        let s = (await storage.getAssetSummaries()).get("attempts")!;
        expect(s.running.toJSON()).toEqual([[1, 5]]);
        await storage.markFailed(run, "attempts", IntervalSet.fromRange(1, 3));
        await materialize(run, "attempts", [3]);
        s = (await storage.getAssetSummaries()).get("attempts")!;
        expect(s.failed.toJSON()).toEqual([[1, 3]]);
        expect(s.running.toJSON()).toEqual([[4, 5]]);
        await storage.clearRunning(run);
        await materialize(await newRun(), "attempts", [1]);
        s = (await storage.getAssetSummaries()).get("attempts")!;
        expect(s.running.isEmpty).toBe(true);
        expect(s.failed.toJSON()).toEqual([[2, 3]]);
      });

      it("reads a claim's inputs with it: the partitions read, the assets read whole, either, both or none", async () => {
        const run = await newRun();
        await materialize(run, "in-parts", [1, 2, 5]);
        await materialize(run, "in-whole", [0, 1]);
        const digest = (await storage.getDigest("in-whole"))!;
        const inputsOf = async (reads: { assetKey: string; partitions: IntervalSet | "all" }[]) => {
          const outcome = await storage.claimPartitions(
            run,
            [{ assetKey: "in-reader", partitions: IntervalSet.single(0) }],
            reads,
          );
          if (!outcome.claimed) throw new Error("not claimed");
          return {
            versions: [...outcome.inputs.versions].map(([k, v]) => [k, [...v].sort()]),
            digests: [...outcome.inputs.digests],
          };
        };
        const parts = { assetKey: "in-parts", partitions: IntervalSet.fromRange(2, 6) };
        const whole = { assetKey: "in-whole", partitions: "all" as const };
        const never = { assetKey: "in-never", partitions: "all" as const };
        const versions = [
          [
            "in-parts",
            [
              [2, `v-${run}-2`],
              [5, `v-${run}-5`],
            ],
          ],
        ];
        const digests = [["in-whole", { digest: digest.digest, partitionCount: 2 }]];
        expect(await inputsOf([parts])).toEqual({ versions, digests: [] });
        expect(await inputsOf([whole, never])).toEqual({ versions: [], digests });
        expect(await inputsOf([whole, parts, never])).toEqual({ versions, digests });
        expect(await inputsOf([{ assetKey: "in-parts", partitions: IntervalSet.EMPTY }])).toEqual({
          versions: [],
          digests: [],
        });
        expect(await inputsOf([])).toEqual({ versions: [], digests: [] });
      });

      it("marks an output stale because of each upstream that changed while it ran, read whole or by partitions", async () => {
        const run = await newRun();
        await materialize(run, "mix-parts", [1, 2]);
        await materialize(run, "mix-whole", [0]);
        await materialize(run, "mix-quiet", [0]);
        const watermark = await storage.markRunning(run, "mix-out", IntervalSet.single(3));
        await materialize(await newRun(), "mix-parts", [2]);
        await materialize(await newRun(), "mix-whole", [9]);
        await materialize(run, "mix-out", [3], {
          readSince: {
            watermark,
            upstream: [
              { assetKey: "mix-whole", partitions: "all" },
              { assetKey: "mix-quiet", partitions: "all" },
              { assetKey: "mix-parts", partitions: IntervalSet.fromRange(1, 3) },
            ],
          },
        });
        const marks = (await storage.getAssetSummaries()).get("mix-out")!.staleMarks;
        expect(marks.map((m) => [m.upstreamKey, m.partitions.toJSON()]).sort()).toEqual([
          ["mix-parts", [[3, 4]]],
          ["mix-whole", [[3, 4]]],
        ]);
        // Only assets read whole, one of them changed: the mark of the other upstream stays.
        const w2 = await storage.markRunning(run, "mix-out", IntervalSet.single(4));
        await materialize(await newRun(), "mix-quiet", [1]);
        await materialize(run, "mix-out", [3, 4], {
          readSince: { watermark: w2, upstream: [{ assetKey: "mix-quiet", partitions: "all" }] },
        });
        const after = (await storage.getAssetSummaries()).get("mix-out")!.staleMarks;
        expect(after.map((m) => [m.upstreamKey, m.partitions.toJSON()])).toEqual([
          ["mix-quiet", [[3, 5]]],
        ]);
      });

      it("marks a downstream asset read through several dependencies once, with all the partitions read", async () => {
        const run = await newRun();
        await materialize(run, "twice-up", [4], {
          invalidates: [
            { assetKey: "twice-down", partitions: IntervalSet.single(4) },
            { assetKey: "twice-down", partitions: IntervalSet.fromRange(5, 7) },
            { assetKey: "twice-other", partitions: IntervalSet.EMPTY },
          ],
        });
        const summaries = await storage.getAssetSummaries();
        expect(
          summaries
            .get("twice-down")!
            .staleMarks.map((m) => [m.upstreamKey, m.partitions.toJSON()]),
        ).toEqual([["twice-up", [[4, 7]]]]);
        expect(summaries.get("twice-other")?.staleMarks ?? []).toEqual([]);
      });

      it("records partitions layouts without shrinking them, nor replacing them by unpartitioned", async () => {
        const run = await newRun();
        const layout = (partitionsLayout: string) =>
          materialize(run, "lay", [0], { partitionsLayout });
        expect(await storage.getPartitionsLayouts(["lay", "nothing"])).toEqual(new Map());
        await layout('static:["a","b","c"]');
        await layout('static:["a","b"]');
        await layout("unpartitioned");
        expect(await storage.getPartitionsLayouts(["lay", "nothing"])).toEqual(
          new Map([["lay", 'static:["a","b","c"]']]),
        );
        await expect(layout('static:["a","c"]')).rejects.toThrow(
          /asset lay: its partitions changed/,
        );
        // Status reads them again on every evaluation, changed ones included.
        const summarized = async () =>
          (await storage.getAssetSummaries()).get("lay")?.partitionsLayout;
        expect(await summarized()).toBe('static:["a","b","c"]');
        await layout('static:["a","b","c","d"]');
        expect(await storage.getPartitionsLayouts(["lay"])).toEqual(
          new Map([["lay", 'static:["a","b","c","d"]']]),
        );
        expect(await summarized()).toBe('static:["a","b","c","d"]');
        expect(await summarized()).toBe('static:["a","b","c","d"]');
      });

      it("reads data versions of a subset", async () => {
        const run = await newRun();
        await materialize(run, "dv", [1, 2, 7]);
        const versions = await storage.getDataVersions(
          "dv",
          IntervalSet.fromRanges([
            [1, 3],
            [5, 8],
          ]),
        );
        expect([...versions.keys()].sort()).toEqual([1, 2, 7]);
        expect(versions.get(7)).toBe(`v-${run}-7`);
      });
    });

    describe("recovery", () => {
      it("fails runs whose process is gone, with a reason, and turns their running partitions into failed ones", async () => {
        const dead = await newRun("STARTED", 999_999);
        const alive = await newRun("STARTED", 123);
        await storage.markRunning(dead, "orphaned", IntervalSet.fromRange(3, 5));
        const failed = await storage.failOrphanedRuns("test-host", (r) => r.pid !== 999_999);
        expect(failed).toContain(dead);
        expect(failed).not.toContain(alive);
        const run = await storage.getRun(dead);
        expect(run?.status).toBe("FAILURE");
        expect(run?.error).toMatch(/pid 999999 on test-host/);
        const s = (await storage.getAssetSummaries()).get("orphaned")!;
        expect(s.running.isEmpty).toBe(true);
        expect(s.failed.toJSON()).toEqual([[3, 5]]);
        const events = await storage.listEvents(dead);
        expect(events.at(-1)?.type).toBe("RUN_FAILURE");
        // Other hosts' runs are not this process's to judge.
        expect(await storage.failOrphanedRuns("another-host", () => false)).toEqual([]);
        await storage.setRunStatus(alive, "SUCCESS");
      });
    });

    describe("check results", () => {
      it("keeps the latest result per check and partition", async () => {
        const run = await newRun();
        await storage.recordCheckResult({
          runId: run,
          assetKey: "checked",
          checkName: "not_null",
          passed: false,
          severity: "error",
        });
        await storage.recordCheckResult({
          runId: run,
          assetKey: "checked",
          checkName: "not_null",
          passed: true,
          severity: "error",
        });
        await storage.recordCheckResult({
          runId: run,
          assetKey: "checked",
          checkName: "unique",
          passed: false,
          severity: "warn",
          description: "2 duplicates",
        });
        const results = await storage.latestCheckResults("checked");
        expect(results.map((r) => [r.checkName, r.passed, r.severity])).toEqual([
          ["not_null", true, "error"],
          ["unique", false, "warn"],
        ]);
        expect(results[1]?.description).toBe("2 duplicates");
      });

      it("keeps the latest results of one partition when asked for", async () => {
        const run = await newRun();
        for (const [partitionKey, passed] of [
          ["2024-08-01", false],
          ["2024-08-01", true],
          ["2024-08-02", false],
        ] as const) {
          await storage.recordCheckResult({
            runId: run,
            assetKey: "per-partition",
            partitionKey,
            checkName: "not_null",
            passed,
            severity: "error",
          });
        }
        const day = await storage.latestCheckResults("per-partition", "2024-08-01");
        expect(day.map((r) => [r.partitionKey, r.passed])).toEqual([["2024-08-01", true]]);
        expect(await storage.latestCheckResults("per-partition")).toHaveLength(2);
        expect(await storage.latestCheckResults("per-partition", "2024-08-03")).toEqual([]);
      });

      const result = (
        run: string,
        assetKey: string,
        index: number,
        passed: boolean,
        severity: "error" | "warn" = "error",
        checkName = "rows",
      ) => ({
        runId: run,
        assetKey,
        checkName,
        partitionKey: `p${index}`,
        partitionIndex: index,
        passed,
        severity,
        description: passed ? "ok" : "0 rows",
        durationMs: 3,
      });

      it("records a batch in one write, each failure with one check_failed alert", async () => {
        const run = await newRun();
        const written = await storage.recordCheckResults([
          result(run, "batch", 0, true),
          result(run, "batch", 1, false),
          result(run, "batch", 2, false, "warn", "warned"),
        ]);
        expect(written).toBe(3);
        const alerts = await sql.query<{ dedupe_key: string; subject: string }>(
          "SELECT dedupe_key, subject FROM lignee.alert_events WHERE payload->>'asset' = 'batch' ORDER BY dedupe_key",
        );
        expect(alerts.rows).toEqual([
          {
            dedupe_key: `check_failed:${run}:batch:rows:p1`,
            subject: "Check rows of batch failed on partition p1: 0 rows",
          },
          {
            dedupe_key: `check_failed:${run}:batch:warned:p2`,
            subject: "Check warned of batch failed on partition p2: 0 rows",
          },
        ]);
        const [latest] = await storage.latestCheckResults("batch", "p1");
        expect(latest).toMatchObject({ passed: false, durationMs: 3 });
      });

      it("tells the partitions whose latest error result failed, as an interval set", async () => {
        const run = await newRun();
        await storage.recordCheckResults([
          result(run, "failing", 0, false),
          result(run, "failing", 1, false),
          result(run, "failing", 2, false),
          result(run, "failing", 5, false, "warn", "only_warns"),
        ]);
        // Day 1 passes again: only its latest result counts.
        await storage.recordCheckResults([result(run, "failing", 1, true)]);
        const failed = (await storage.failedErrorChecks()).get("failing");
        expect(failed?.map((f) => [f.checkName, f.partitions.toJSON()])).toEqual([
          [
            "rows",
            [
              [0, 1],
              [2, 3],
            ],
          ],
        ]);
        // A check switched off holds nothing, and its new results are not stored.
        await storage.setCheckEnabled({ assetKey: "failing", checkName: "rows", enabled: false });
        expect((await storage.failedErrorChecks()).get("failing")).toBeUndefined();
        expect(await storage.recordCheckResults([result(run, "failing", 3, false)])).toBe(0);
        expect(await storage.latestCheckResults("failing", "p3")).toEqual([]);
        const [sw] = await storage.checkSwitches("failing");
        expect(sw).toMatchObject({ assetKey: "failing", checkName: "rows", enabled: false });
        await storage.setCheckEnabled({ assetKey: "failing", checkName: "rows", enabled: true });
        expect((await storage.failedErrorChecks()).get("failing")).toHaveLength(1);
        expect((await storage.getAssetSummaries()).get("failing")?.failedChecks).toHaveLength(1);
      });

      it("pages a check's history, newest first, for one partition or all", async () => {
        const run = await newRun();
        for (const passed of [false, true, false])
          await storage.recordCheckResults([result(run, "history", 0, passed)]);
        await storage.recordCheckResults([result(run, "history", 1, true)]);
        const all = await storage.checkHistory({ assetKey: "history", checkName: "rows" });
        expect(all.map((r) => [r.partitionKey, r.passed])).toEqual([
          ["p1", true],
          ["p0", false],
          ["p0", true],
          ["p0", false],
        ]);
        const page = await storage.checkHistory({
          assetKey: "history",
          checkName: "rows",
          partitionKey: "p0",
          limit: 2,
        });
        expect(page.map((r) => r.passed)).toEqual([false, true]);
        const next = await storage.checkHistory({
          assetKey: "history",
          checkName: "rows",
          partitionKey: "p0",
          limit: 2,
          beforeId: page[1]!.id,
        });
        expect(next.map((r) => r.passed)).toEqual([false]);
      });
    });
  });
}
