import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limiter";

describe("RateLimiter", () => {
  it("spaces calls evenly at the rate, without an initial burst", async () => {
    const limiter = new RateLimiter(50); // one slot every 20 ms
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 11 }, async () => {
        await limiter.acquire();
        times.push(performance.now() - started);
      }),
    );
    times.sort((a, b) => a - b);
    expect(times[10]!).toBeGreaterThanOrEqual(195);
    expect(times[10]!).toBeLessThan(400);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(10);
  });

  it("does not limit with a rate of 0", async () => {
    const limiter = new RateLimiter(0);
    const started = performance.now();
    for (let i = 0; i < 1000; i++) await limiter.acquire();
    expect(performance.now() - started).toBeLessThan(200);
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
