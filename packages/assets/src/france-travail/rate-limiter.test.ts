import { afterEach, describe, expect, it, vi } from "vitest";
import { RateLimiter } from "./rate-limiter";

/**
 * The spacing is checked on a fake clock (timers and performance.now): a busy machine delays
 * real timers, which says nothing about the limiter. One test keeps the real clock for the pause.
 */
describe("RateLimiter", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const fakeClock = () =>
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });

  it("spaces calls evenly at the rate, without an initial burst", async () => {
    fakeClock();
    const limiter = new RateLimiter(50); // one slot every 20 ms
    const started = performance.now();
    const times: number[] = [];
    const all = Promise.all(
      Array.from({ length: 11 }, async () => {
        await limiter.acquire();
        times.push(performance.now() - started);
      }),
    );
    await vi.advanceTimersByTimeAsync(1_000);
    await all;
    expect(times).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
  });

  it("does not let late timers accumulate: slots follow the schedule, not the previous call", async () => {
    fakeClock();
    const limiter = new RateLimiter(10); // one slot every 100 ms
    await limiter.acquire();
    // The caller comes back 250 ms later: its slot is now, and the next one 100 ms after it.
    await vi.advanceTimersByTimeAsync(250);
    const before = performance.now();
    await limiter.acquire();
    expect(performance.now()).toBe(before);
    let second = false;
    void limiter.acquire().then(() => (second = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(second).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(second).toBe(true);
  });

  it("does not limit with a rate of 0", async () => {
    fakeClock();
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) await limiter.acquire();
    expect(vi.getTimerCount()).toBe(0);
    expect(limiter.totalWaitMs).toBe(0);
  });

  it("rejects a waiting call with the signal's reason when it aborts", async () => {
    const limiter = new RateLimiter(1);
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it("holds calls not yet started after a pause", async () => {
    const limiter = new RateLimiter(0);
    limiter.pauseFor(0); // no effect without a limit
    const limited = new RateLimiter(1000);
    limited.pauseFor(150);
    const started = performance.now();
    await limited.acquire();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});
