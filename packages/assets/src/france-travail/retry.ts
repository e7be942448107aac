/** How failed calls are retried: exponential backoff with full jitter, capped. */
export interface RetryOptions {
  /** Retries after the first attempt (so `maxRetries + 1` attempts in all). */
  readonly maxRetries: number;
  /** Delay before the first retry, before jitter. */
  readonly baseDelayMs: number;
  /** Cap of the exponential delay. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxRetries: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * The delay before retry number `retry` (1 for the first): a uniform draw in
 * [d/2, d] where d = min(maxDelayMs, baseDelayMs × 2^(retry-1)). Half of the delay is kept so
 * that a retry never fires at once ("full" jitter can draw 0 ms and hammer a struggling server),
 * the other half spreads concurrent clients apart.
 */
export function backoffDelayMs(
  retry: number,
  options: RetryOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Parses a Retry-After header (delay in seconds, or an HTTP date) into milliseconds from now.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(
  header: string | null,
  now: number = Date.now(),
): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
