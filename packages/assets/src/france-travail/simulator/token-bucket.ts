/**
 * The API's rate limit: a token bucket per client holding at most one second's worth of calls
 * and refilled continuously, so a client may burst up to the limit but not exceed it on
 * average.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();

  /** `perSecond` of 0 disables the limit. */
  constructor(private readonly perSecond: number) {}

  /** Takes one call from `client`'s bucket; when empty, how long until one is available (ms). */
  take(
    client: string,
    now: number = performance.now(),
  ): { ok: true } | { ok: false; waitMs: number } {
    if (this.perSecond <= 0) return { ok: true };
    const bucket = this.buckets.get(client) ?? { tokens: this.perSecond, updated: now };
    bucket.tokens = Math.min(
      this.perSecond,
      bucket.tokens + ((now - bucket.updated) / 1000) * this.perSecond,
    );
    bucket.updated = now;
    this.buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, waitMs: ((1 - bucket.tokens) / this.perSecond) * 1000 };
  }
}
