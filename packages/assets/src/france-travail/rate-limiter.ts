import { sleep } from "./abort";

/**
 * Spaces calls evenly: at most one call start every `1000 / perSecond` ms, in the order
 * `acquire` was called.
 *
 * Why not a burst-then-wait window (p-throttle's model): the API's own limiter refills
 * continuously, so ten calls sent at once at the start of each second sit right on its edge
 * and a few milliseconds of network jitter turn into 429s. Evenly spaced calls stay a full
 * slot away from it at the same throughput. Slots are reserved on a schedule (not from the
 * moment the previous call happened), so timer lateness does not accumulate and a saturated
 * limiter delivers exactly `perSecond` calls per second. A waiting call can be aborted on its
 * own, which a shared throttle queue cannot do.
 *
 * @example
 * const limiter = new RateLimiter(10);
 * await limiter.acquire(signal); // then make the call
 */
export class RateLimiter {
  private readonly intervalMs: number;
  /** Earliest start time (performance.now()) of the next slot. */
  private nextSlot = 0;
  private waitedMs = 0;

  /** `perSecond` of 0 (or Infinity) disables limiting. */
  constructor(readonly perSecond: number) {
    if (!(perSecond >= 0)) throw new RangeError(`rate limit must be ≥ 0, got ${perSecond}`);
    this.intervalMs = perSecond === 0 || perSecond === Infinity ? 0 : 1000 / perSecond;
  }

  /** Resolves when the caller may start its call; rejects with the signal's reason on abort. */
  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const now = performance.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.intervalMs;
    const wait = slot - now;
    if (wait > 0.5) {
      this.waitedMs += wait;
      await sleep(wait, signal);
    }
  }

  /**
   * Holds every call not yet started until `ms` from now: after a 429 the server wants a
   * pause from the whole client, not just from the call it refused.
   */
  pauseFor(ms: number): void {
    this.nextSlot = Math.max(this.nextSlot, performance.now() + ms);
  }

  /** Total time calls spent waiting for a slot, in ms (how much the limiter throttled). */
  get totalWaitMs(): number {
    return this.waitedMs;
  }
}
