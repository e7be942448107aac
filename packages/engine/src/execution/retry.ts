import { retryDelay, type RetryPolicy } from "../definitions/retry-policy";

/** One failed attempt that will be tried again, as `onRetry` hears of it. */
export interface RetryNotice {
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

export interface RetryOptions {
  readonly policy: RetryPolicy;
  /** Aborting it stops retrying: the last error is thrown at once, even mid-wait. */
  readonly signal: AbortSignal;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Whether a failure may pass on the next attempt; anything else is thrown at once. */
  readonly isRetryable: (error: unknown) => boolean;
  /** Told of each retry before its wait (to log it, emit an event…). */
  readonly onRetry: (notice: RetryNotice) => void;
}

/**
 * Runs `attempt` until it resolves, retrying a retryable failure after the policy's delay while
 * retries are left; rethrows the last error otherwise (or when `signal` aborts).
 *
 * @example
 * const rows = await retry((attempt) => fetchPage(attempt), {
 *   policy, signal, sleep: abortableSleep, isRetryable: isTransient,
 *   onRetry: ({ attempt, delayMs }) => log.warn(`attempt ${attempt} failed, retrying in ${delayMs} ms`),
 * });
 */
export async function retry<T>(
  attempt: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!mayRetry(error, n, options)) throw error;
      const delayMs = retryDelay(options.policy, n);
      options.onRetry({ attempt: n, delayMs, error });
      await options.sleep(delayMs, options.signal);
      if (options.signal.aborted) throw error;
    }
  }
}

function mayRetry(error: unknown, attempt: number, options: RetryOptions): boolean {
  const retriesLeft = options.policy.maxRetries - (attempt - 1);
  return !options.signal.aborted && retriesLeft > 0 && options.isRetryable(error);
}
