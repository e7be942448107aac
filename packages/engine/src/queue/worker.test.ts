import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { defineAsset } from "../definitions/asset";
import { Definitions } from "../definitions/definitions";
import { PostgresStorage } from "../storage/postgres-storage";
import { RunQueue } from "./run-queue";
import { Worker } from "./worker";

/** Workers in this process against real PostgreSQL: execution, cancellation, clean shutdown. */
let url: string;
let queue: RunQueue;
let storage: PostgresStorage;
let sql: pg.Client;

/** `wait` blocks until cancelled (or 30 s); `quick` returns at once. */
const definitions = Definitions.create({
  assets: [
    defineAsset({ key: "quick", materialize: async () => ({ metadata: { rows: 3 } }) }),
    defineAsset({
      key: "wait",
      materialize: (ctx) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 30_000);
          ctx.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    }),
  ],
});

const worker = (id: string) =>
  new Worker({
    definitions,
    storage,
    queue,
    environment: { databaseUrl: url, home: "" },
    workerId: id,
    pollMs: 50,
    leaseMs: 5_000,
    log: () => undefined,
    onAlive: () => alive.set(id, (alive.get(id) ?? 0) + 1),
  });

/** Healthy rounds of each worker's loop (its liveness signal). */
const alive = new Map<string, number>();

const statusOf = async (id: string) =>
  (
    await sql.query<{ status: string; attempt: number; worker_id: string | null }>(
      "SELECT status, attempt, worker_id FROM lignee.runs WHERE id = $1",
      [id],
    )
  ).rows[0]!;

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const request = (selection: string) => ({
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

afterAll(async () => {
  await sql.end();
  await queue.close();
  await storage.close();
});

describe("Worker", () => {
  it("fails a run with the reason when the resources cannot be created, and tries them again for the next run", async () => {
    let calls = 0;
    const flaky = Definitions.create<unknown>({
      assets: [defineAsset({ key: "quick", materialize: async () => undefined })],
      resources: () => {
        calls++;
        if (calls === 1) throw new Error("warehouse unreachable");
        return { ok: true };
      },
    });
    const w = new Worker({
      definitions: flaky,
      storage,
      queue,
      environment: { databaseUrl: url, home: "" },
      workerId: "res",
      pollMs: 50,
      log: () => undefined,
    });
    await w.start();
    try {
      const first = await queue.enqueue(request("quick"));
      await until(async () => (await statusOf(first)).status === "FAILURE");
      const events = await storage.listEvents(first);
      expect(events.at(-1)?.message).toMatch(
        /resources could not be created: .*warehouse unreachable/,
      );
      const second = await queue.enqueue(request("quick"));
      await until(async () => (await statusOf(second)).status === "SUCCESS");
    } finally {
      await w.stop();
    }
  });

  it("keeps working when its listening connection is cut (the database restarting)", async () => {
    const w = worker("cut");
    await w.start();
    try {
      await sql.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
      );
      await new Promise((r) => setTimeout(r, 200));
      const id = await queue.enqueue(request("quick"));
      await until(async () => (await statusOf(id)).status === "SUCCESS");
    } finally {
      await w.stop();
    }
  });

  it("executes a queued run and records its materialisation", async () => {
    const w = worker("w1");
    await w.start();
    try {
      const id = await queue.enqueue(request("quick"));
      await until(async () => (await statusOf(id)).status === "SUCCESS");
      const m = (await storage.listMaterializations("quick")).filter((x) => x.runId === id);
      expect(alive.get("w1")).toBeGreaterThan(0);
      expect(m.map((x) => x.metadata.rows)).toEqual([3]);
    } finally {
      await w.stop();
    }
  });

  it("stops a run whose cancellation was requested, wherever it was asked", async () => {
    const w = worker("w2");
    await w.start();
    try {
      const id = await queue.enqueue(request("wait"));
      await until(async () => (await statusOf(id)).status === "STARTED");
      expect(await queue.requestCancel(id)).toBe("CANCELING");
      await until(async () => (await statusOf(id)).status === "CANCELED");
    } finally {
      await w.stop();
    }
  });

  it("gives its runs back to the queue when it shuts down; another worker finishes them", async () => {
    const first = worker("w3");
    await first.start();
    const id = await queue.enqueue(request("wait"));
    await until(async () => (await statusOf(id)).worker_id === "w3");
    await first.stop();
    expect(await statusOf(id)).toMatchObject({ status: "QUEUED", attempt: 1, worker_id: null });
    const events = await storage.listEvents(id);
    expect(events.at(-1)?.type).toBe("RUN_REQUEUED");

    const second = worker("w4");
    await second.start();
    try {
      await until(async () => (await statusOf(id)).worker_id === "w4");
      expect(await queue.requestCancel(id)).toBe("CANCELING");
      await until(async () => (await statusOf(id)).status === "CANCELED");
    } finally {
      await second.stop();
    }
  });
});
