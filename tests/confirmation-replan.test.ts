import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createApp,
  dailyPartitions,
  defineAsset,
  Definitions,
  executeRun,
  PostgresStorage,
  prepareRun,
  RunQueue,
  Worker,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";

/**
 * A `stale` request is planned again by the worker that executes it: what it materialises then
 * may have grown since the API accepted it (new code, new upstream data). Accepted without
 * confirmation, it may not grow past the limit it was accepted under; confirmed, it may.
 */
let url: string;
let storage: PostgresStorage;
let queue: RunQueue;

beforeAll(async () => {
  url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
  queue = RunQueue.connect(url);
});

afterAll(async () => {
  await queue.close();
  await storage.close();
});

/** Calendar day `n` days before today in Europe/Paris. */
const day = (n: number): string => {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
};

const recent = (codeVersion: string): Definitions<unknown> =>
  Definitions.create({
    assets: [
      defineAsset({
        key: "recent/days",
        codeVersion,
        partitions: dailyPartitions({ start: day(20), timezone: "Europe/Paris" }),
        async materialize() {},
      }),
    ],
  }) as Definitions<unknown>;

async function finished(runId: string): Promise<{ status: string; error: string | null }> {
  for (let i = 0; i < 200; i++) {
    const run = await storage.getRun(runId);
    if (run && ["SUCCESS", "FAILURE", "CANCELED"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not finish`);
}

describe("a queued stale request, planned again by its worker", () => {
  it("fails with the count when it grew past the limit it was accepted under, unless confirmed", async () => {
    const v1 = recent("1");
    // 15 of the 20 days are materialised: 5 are missing.
    await executeRun({
      definitions: v1,
      storage,
      prepared: prepareRun(
        v1,
        { selection: "recent/days", partitions: { kind: "range", from: day(20), to: day(6) } },
        new Date(),
      ),
    });
    const environment = { databaseUrl: url, home: "" };
    const { app } = createApp({
      definitions: v1,
      storage,
      queue: { queue, maxAttempts: 1 },
      environment,
      confirmAbove: 12,
    });
    const ask = async (body: object): Promise<string> => {
      const res = await app.request("/api/runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      return ((await res.json()) as { runId: string }).runId;
    };
    const unconfirmed = await ask({ selection: "recent/days", stale: true });
    const confirmed = await ask({ selection: "recent/days", stale: true, confirm: true });

    // New code before a worker takes them: every one of the 20 days is to do again.
    const worker = new Worker({
      definitions: recent("2"),
      storage,
      queue,
      environment,
      pollMs: 50,
      leaseMs: 5_000,
      log: () => undefined,
    });
    await worker.start();
    try {
      const refused = await finished(unconfirmed);
      expect(refused.status).toBe("FAILURE");
      expect(refused.error).toMatch(/20 partitions of recent\/days.*more than 12.*confirm/);
      const events = await storage.listEvents(unconfirmed);
      expect(events.filter((e) => e.type === "MATERIALIZATION")).toEqual([]);
      expect((await finished(confirmed)).status).toBe("SUCCESS");
    } finally {
      await worker.stop();
    }
  }, 60_000);
});
