import { describe, expect, it } from "vitest";
import { retryPolicy } from "../definitions/retry-policy";
import { retry, type RetryNotice } from "./retry";

const policy = retryPolicy({ maxRetries: 2, delayMs: 100, backoff: "linear", jitter: false });

function harness(isRetryable: (error: unknown) => boolean = () => true) {
  const controller = new AbortController();
  const sleeps: number[] = [];
  const notices: RetryNotice[] = [];
  const options = {
    policy,
    signal: controller.signal,
    sleep: async (ms: number) => void sleeps.push(ms),
    isRetryable,
    onRetry: (notice: RetryNotice) => void notices.push(notice),
  };
  return { controller, sleeps, notices, options };
}

describe("retry", () => {
  it("retries a retryable failure per the policy and resolves with the first success", async () => {
    const h = harness();
    const attempts: number[] = [];
    const value = await retry(async (attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw new Error(`boom ${attempt}`);
      return "done";
    }, h.options);
    expect(value).toBe("done");
    expect(attempts).toEqual([1, 2, 3]);
    expect(h.sleeps).toEqual([100, 200]);
    expect(h.notices.map((n) => [n.attempt, n.delayMs, (n.error as Error).message])).toEqual([
      [1, 100, "boom 1"],
      [2, 200, "boom 2"],
    ]);
  });

  it("throws the last error when no retry is left", async () => {
    const h = harness();
    let calls = 0;
    await expect(
      retry(async (attempt) => {
        calls++;
        throw new Error(`boom ${attempt}`);
      }, h.options),
    ).rejects.toThrow("boom 3");
    expect(calls).toBe(3);
  });

  it("throws a failure that is not retryable at once", async () => {
    const h = harness(() => false);
    await expect(
      retry(async () => Promise.reject(new Error("bad data")), h.options),
    ).rejects.toThrow("bad data");
    expect(h.sleeps).toEqual([]);
  });

  it("stops when the signal aborts during the wait", async () => {
    const h = harness();
    const options = {
      ...h.options,
      sleep: async () => h.controller.abort(),
    };
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new Error("down");
      }, options),
    ).rejects.toThrow("down");
    expect(calls).toBe(1);
  });
});
