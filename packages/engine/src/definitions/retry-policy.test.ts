import { describe, expect, it } from "vitest";
import { NO_RETRY, retryDelay, retryPolicy, type RetryPolicy } from "./retry-policy";

const policy = (overrides: Partial<RetryPolicy>): RetryPolicy => ({
  maxRetries: 5,
  delayMs: 100,
  backoff: "constant",
  jitter: false,
  maxDelayMs: 60_000,
  ...overrides,
});

/** A random source that must not be called. */
const noRandom = (): number => {
  throw new Error("random() called although jitter is off");
};

describe("retryPolicy", () => {
  it("defaults to 1 s exponential backoff with jitter, capped at 60 s", () => {
    expect(retryPolicy({ maxRetries: 3 })).toEqual({
      maxRetries: 3,
      delayMs: 1000,
      backoff: "exponential",
      jitter: true,
      maxDelayMs: 60_000,
    });
    expect(retryPolicy({ maxRetries: 1, delayMs: 10, jitter: false }).delayMs).toBe(10);
  });

  it("NO_RETRY never retries and never waits", () => {
    expect(NO_RETRY.maxRetries).toBe(0);
    expect(retryDelay(NO_RETRY, 1, noRandom)).toBe(0);
  });
});

describe("retryDelay without jitter", () => {
  it("constant: the same delay every time", () => {
    const p = policy({ backoff: "constant" });
    expect([1, 2, 3, 4].map((r) => retryDelay(p, r, noRandom))).toEqual([100, 100, 100, 100]);
  });

  it("linear: delay × retry", () => {
    const p = policy({ backoff: "linear" });
    expect([1, 2, 3, 4].map((r) => retryDelay(p, r, noRandom))).toEqual([100, 200, 300, 400]);
  });

  it("exponential: delay × 2^(retry-1)", () => {
    const p = policy({ backoff: "exponential" });
    expect([1, 2, 3, 4, 5].map((r) => retryDelay(p, r, noRandom))).toEqual([
      100, 200, 400, 800, 1600,
    ]);
  });

  it("never exceeds maxDelayMs", () => {
    const p = policy({ backoff: "exponential", delayMs: 1000, maxDelayMs: 5000 });
    expect([1, 2, 3, 4, 5, 30].map((r) => retryDelay(p, r, noRandom))).toEqual([
      1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });
});

describe("retryDelay with jitter", () => {
  it("scales the delay by 0.5 + random()", () => {
    const p = policy({ backoff: "exponential", delayMs: 1000, jitter: true });
    expect(retryDelay(p, 1, () => 0)).toBe(500);
    expect(retryDelay(p, 1, () => 0.5)).toBe(1000);
    expect(retryDelay(p, 1, () => 0.25)).toBe(750);
    // Retry 3: base 4000.
    expect(retryDelay(p, 3, () => 0)).toBe(2000);
    expect(retryDelay(p, 3, () => 0.75)).toBe(5000);
  });

  it("stays within [0.5, 1.5] × the base delay and rounds to whole milliseconds", () => {
    const p = policy({ backoff: "linear", delayMs: 333, jitter: true });
    for (const r of [0, 0.1, 0.123456, 0.5, 0.9, 0.999999]) {
      const d = retryDelay(p, 2, () => r); // base 666
      expect(Number.isInteger(d)).toBe(true);
      expect(d).toBeGreaterThanOrEqual(333);
      expect(d).toBeLessThanOrEqual(999);
    }
    expect(retryDelay(p, 2, () => 0.999999)).toBe(999);
  });

  it("caps the base delay, then spreads it, so that retries at the cap are not in step", () => {
    const p = policy({ backoff: "exponential", delayMs: 1000, jitter: true, maxDelayMs: 1200 });
    // Retry 3: base 4000, capped to 1200, then scaled by 0.5 + random().
    expect(retryDelay(p, 3, () => 0.9)).toBe(1680);
    expect(retryDelay(p, 3, () => 0.1)).toBe(720);
    expect(retryDelay(p, 3, () => 0.9)).not.toBe(retryDelay(p, 3, () => 0.1));
  });
});
