import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { sleep } from "./abort";
import { TaskPool } from "./task-pool";

describe("TaskPool", () => {
  it("runs tasks added while running, under the concurrency limit", async () => {
    const pool = new TaskPool(3);
    let running = 0;
    let peak = 0;
    let done = 0;
    const task = (children: number) => async (): Promise<void> => {
      running++;
      peak = Math.max(peak, running);
      await sleep(5);
      for (let i = 0; i < children; i++) pool.add(1, task(0));
      running--;
      done++;
    };
    for (let i = 0; i < 4; i++) pool.add(0, task(3));
    await pool.run();
    expect(done).toBe(16);
    expect(peak).toBe(3);
  });

  it("starts lower priority numbers first", async () => {
    const pool = new TaskPool(1);
    const order: string[] = [];
    const record = (name: string) => async (): Promise<void> => {
      order.push(name);
    };
    pool.add(1, record("page a"));
    pool.add(1, record("page b"));
    pool.add(0, record("probe"));
    await pool.run();
    // The first task started as soon as it was added; afterwards probes go first.
    expect(order).toEqual(["page a", "probe", "page b"]);
  });

  it("stops at the first failure, aborts running tasks and rejects with that error", async () => {
    const pool = new TaskPool(2);
    const failure = new Error("boom");
    let aborted = false;
    let startedAfter = false;
    pool.add(0, async () => {
      try {
        await sleep(1000, pool.signal);
      } catch {
        aborted = true;
      }
    });
    pool.add(0, async () => {
      await sleep(5);
      throw failure;
    });
    pool.add(0, async () => {
      startedAfter = true;
    });
    await expect(pool.run()).rejects.toBe(failure);
    expect(aborted).toBe(true);
    expect(startedAfter).toBe(false);
  });

  it("rejects with the caller's reason when the caller aborts", async () => {
    const controller = new AbortController();
    const pool = new TaskPool(1, controller.signal);
    pool.add(0, () => sleep(1000, pool.signal));
    const reason = new Error("cancelled");
    setTimeout(() => controller.abort(reason), 10);
    await expect(pool.run()).rejects.toBe(reason);
  });

  it("leaves no listener on the caller's signal once it settles, however many pools ran", async () => {
    const controller = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on("warning", onWarning);
    try {
      for (let i = 0; i < 30; i++) {
        const pool = new TaskPool(2, controller.signal);
        pool.add(0, () => sleep(1, pool.signal));
        if (i % 3 === 0) pool.add(0, () => Promise.reject(new Error("one task failed")));
        await pool.run().catch(() => undefined);
      }
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
      // A pool not run yet holds one listener, and lets it go once it has run.
      const pending = new TaskPool(1, controller.signal);
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
      await pending.run();
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("still rejects with the caller's reason after the caller aborted (no listener needed)", async () => {
    const controller = new AbortController();
    const reason = new Error("stopped before");
    controller.abort(reason);
    const pool = new TaskPool(1, controller.signal);
    pool.add(0, () => Promise.resolve());
    await expect(pool.run()).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});
