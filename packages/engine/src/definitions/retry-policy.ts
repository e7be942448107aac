/**
 * How often and how fast a failed materialisation is retried.
 *
 * @example
 * { maxRetries: 3, delayMs: 1000, backoff: "exponential", jitter: true }
 * // retries after ~1 s, ~2 s, ~4 s (each scaled by a random factor in [0.5, 1.5))
 */
export interface RetryPolicy {
  readonly maxRetries: number;
  readonly delayMs: number;
  readonly backoff: "constant" | "linear" | "exponential";
  /** Spread retries by a random factor in [0.5, 1.5) so that many failures do not retry in step. */
  readonly jitter: boolean;
  /** Upper bound for the delay before jitter (so retries at the cap are still spread). */
  readonly maxDelayMs: number;
}

export const NO_RETRY: RetryPolicy = {
  maxRetries: 0,
  delayMs: 0,
  backoff: "constant",
  jitter: false,
  maxDelayMs: 0,
};

export function retryPolicy(options: Partial<RetryPolicy> & { maxRetries: number }): RetryPolicy {
  return {
    delayMs: 1000,
    backoff: "exponential",
    jitter: true,
    maxDelayMs: 60_000,
    ...options,
  };
}

/** Delay before retry number `retry` (1-based). `random` is injectable for deterministic tests. */
export function retryDelay(
  policy: RetryPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const base =
    policy.backoff === "constant"
      ? policy.delayMs
      : policy.backoff === "linear"
        ? policy.delayMs * retry
        : policy.delayMs * 2 ** (retry - 1);
  // Cap before spreading, so that retries at the cap are still spread out.
  const capped = Math.min(base, policy.maxDelayMs);
  return Math.round(policy.jitter ? capped * (0.5 + random()) : capped);
}
