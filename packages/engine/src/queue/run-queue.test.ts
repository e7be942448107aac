import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { LeaseLostError } from "../errors";
import { IntervalSet } from "../partitions/interval-set";
import { PostgresStorage } from "../storage/postgres-storage";
import { RunQueue } from "./run-queue";
import type { ConcurrencyLimits } from "./pools";

/** The run queue against real PostgreSQL: claims, limits, leases, retries, fencing, cancel. */
let url: string;
let queue: RunQueue;
let storage: PostgresStorage;
let sql: pg.Client;

const unlimited: ConcurrencyLimits = { maxConcurrentRuns: 100, pools: {} };
const lease = { leaseMs: 60_000, limits: unlimited };
const request = (selection = "a") => ({
  selection,
  assetKeys: [selection],
  partitions: { kind: "none" } as const,
});

beforeAll(async () => {
  url = await createTestDatabase();
  queue = RunQueue.connect(url);
  storage = PostgresStorage.connect(url);
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});

beforeEach(async () => {
  await sql.query("DELETE FROM lignee.runs");
});

afterAll(async () => {
  await sql.end();
  await queue.close();
  await storage.close();
});

const statusOf = async (id: string) =>
  (
    await sql.query<{
      status: string;
      attempt: number;
      worker_id: string | null;
      error: string | null;
    }>("SELECT status, attempt, worker_id, error FROM lignee.runs WHERE id = $1", [id])
  ).rows[0]!;

describe("RunQueue", () => {
  it("hands each queued run to exactly one worker, oldest first", async () => {
    const first = await queue.enqueue(request("a"));
    const second = await queue.enqueue(request("b"));
    const claims = await Promise.all(["w1", "w2", "w3"].map((w) => queue.claim(w, lease)));
    const claimed = claims.filter((c) => c !== undefined).map((c) => c.id);
    expect(claimed.sort()).toEqual([first, second].sort());
    expect(await statusOf(first)).toMatchObject({ status: "STARTED", attempt: 1 });
    expect(await queue.claim("w4", lease)).toBeUndefined();
  });

  it("hands out runs asked for by hand or by a schedule before the chunks of a backfill", async () => {
    const chunks = [await queue.enqueue(request("a")), await queue.enqueue(request("a"))];
    await sql.query("UPDATE lignee.runs SET backfill_id = 'b1' WHERE id = ANY($1)", [chunks]);
    const daily = await queue.enqueue(request("b"));
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await queue.claim(`w${i}`, lease))?.id);
    expect(order).toEqual([daily, ...chunks]);
  });

  it("respects the global limit and named pools; runs of other pools go ahead", async () => {
    const limits: ConcurrencyLimits = { maxConcurrentRuns: 2, pools: { france_travail: 1 } };
    const a = await queue.enqueue(request("a"), { pools: ["france_travail"] });
    const b = await queue.enqueue(request("b"), { pools: ["france_travail"] });
    const c = await queue.enqueue(request("c"));
    const d = await queue.enqueue(request("d"));
    expect((await queue.claim("w1", { leaseMs: 60_000, limits }))?.id).toBe(a);
    // b waits for the pool; c (no pool) goes ahead of it.
    expect((await queue.claim("w2", { leaseMs: 60_000, limits }))?.id).toBe(c);
    // Two runs execute: the global limit holds d back.
    expect(await queue.claim("w3", { leaseMs: 60_000, limits })).toBeUndefined();
    expect(await queue.finish(a, "w1", "SUCCESS", undefined)).toBe(true);
    expect((await queue.claim("w3", { leaseMs: 60_000, limits }))?.id).toBe(b);
    expect(await queue.claim("w4", { leaseMs: 60_000, limits })).toBeUndefined();
    expect(await statusOf(d)).toMatchObject({ status: "QUEUED" });
  });

  it("retries a run whose lease expired on another worker; the old worker can no longer commit", async () => {
    const id = await queue.enqueue(request("a"), { maxAttempts: 2 });
    expect((await queue.claim("dead", { leaseMs: 100, limits: unlimited }))?.id).toBe(id);
    await storage.markRunning(id, "a", IntervalSet.single(0));
    await new Promise((r) => setTimeout(r, 250));
    expect(await queue.reapExpired()).toEqual([{ id, status: "QUEUED", attempt: 2 }]);
    const events = await storage.listEvents(id);
    expect(events.map((e) => e.type)).toContain("RUN_RETRY");

    // The dead worker comes back: no heartbeat, no outcome, no materialisation.
    expect(await queue.heartbeat(id, "dead", 60_000)).toEqual({
      held: false,
      cancelRequested: false,
    });
    expect(await queue.finish(id, "dead", "SUCCESS", undefined)).toBe(false);
    await expect(
      storage.fenced({ runId: id, workerId: "dead" }).recordMaterialization({
        runId: id,
        assetKey: "a",
        codeVersion: "1",
        depsSignature: "",
        partitions: [{ key: "", index: 0, dataVersion: "v", inputVersions: {} }],
        metadata: {},
        invalidates: [],
        readSince: { watermark: 0, upstream: [] },
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect((await sql.query("SELECT 1 FROM lignee.materializations")).rowCount).toBe(0);
    // Nor does it write the run's log or its marks, which are the next attempt's now.
    const zombie = storage.fenced({ runId: id, workerId: "dead" });
    await zombie.appendEvents(id, [
      { type: "LOG", level: "info", message: "from the dead", timestamp: new Date() },
    ]);
    expect((await storage.listEvents(id)).map((e) => e.message)).not.toContain("from the dead");
    await expect(zombie.markRunning(id, "a", IntervalSet.single(0))).rejects.toBeInstanceOf(
      LeaseLostError,
    );

    // Another worker takes it; the dead one cannot clear the new attempt's running marks. (A
    // lease long enough for the marks to be written first on a busy machine.)
    expect((await queue.claim("alive", { leaseMs: 1_000, limits: unlimited }))?.attempt).toBe(2);
    await storage
      .fenced({ runId: id, workerId: "alive" })
      .markRunning(id, "a", IntervalSet.single(0));
    await zombie.clearRunning(id);
    expect(
      (await sql.query("SELECT 1 FROM lignee.asset_running WHERE run_id = $1", [id])).rowCount,
    ).toBe(1);
    // A second expiry uses the last attempt up.
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await queue.reapExpired()).toEqual([{ id, status: "FAILURE", attempt: 2 }]);
    expect((await statusOf(id)).error).toMatch(/stopped heartbeating/);
  });

  it("ends CANCELED, not retried, a run whose cancel was asked when its worker died", async () => {
    const id = await queue.enqueue(request("a"), { maxAttempts: 3 });
    await queue.claim("dead", { leaseMs: 100, limits: unlimited });
    expect(await queue.requestCancel(id)).toBe("CANCELING");
    await new Promise((r) => setTimeout(r, 250));
    expect(await queue.reapExpired()).toEqual([{ id, status: "CANCELED", attempt: 1 }]);
    expect(await statusOf(id)).toMatchObject({ status: "CANCELED" });
    expect(await queue.claim("other", lease)).toBeUndefined();
  });

  it("keeps the lease of a worker that heartbeats", async () => {
    const id = await queue.enqueue(request("a"));
    await queue.claim("w", { leaseMs: 300, limits: unlimited });
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 120));
      expect((await queue.heartbeat(id, "w", 300)).held).toBe(true);
    }
    expect(await queue.reapExpired()).toEqual([]);
    expect(await queue.finish(id, "w", "SUCCESS", undefined)).toBe(true);
    expect(await statusOf(id)).toMatchObject({ status: "SUCCESS" });
  });

  it("cancels a queued run at once and a started one through its worker's heartbeat", async () => {
    const queued = await queue.enqueue(request("a"));
    expect(await queue.requestCancel(queued)).toBe("CANCELED");
    expect(await statusOf(queued)).toMatchObject({ status: "CANCELED" });
    const started = await queue.enqueue(request("b"));
    await queue.claim("w", lease);
    expect(await queue.requestCancel(started)).toBe("CANCELING");
    expect(await queue.heartbeat(started, "w", 60_000)).toEqual({
      held: true,
      cancelRequested: true,
    });
    await queue.finish(started, "w", "CANCELED", undefined);
    expect(await queue.requestCancel(started)).toBeUndefined();
  });

  it("wakes listeners when a run is queued", async () => {
    let woken = 0;
    const stop = await queue.listen(() => woken++);
    await queue.enqueue(request("a"));
    await new Promise((r) => setTimeout(r, 200));
    await stop();
    expect(woken).toBe(1);
  });
});
