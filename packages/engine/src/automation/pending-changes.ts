import { abortableSleep } from "../execution/abortable-sleep";

/**
 * Changes announced to the scheduler and not yet evaluated: the first one sets when to look
 * (`debounceMs` later), the next ones join it. `wait` ends early when one is announced.
 */
export class PendingChanges {
  /** When the pending changes are due (`performance.now()` time), if any are pending. */
  dueAt: number | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly debounceMs: number) {}

  note(): void {
    if (this.dueAt !== undefined) return;
    this.dueAt = performance.now() + this.debounceMs;
    this.wakeUp?.();
  }

  clear(): void {
    this.dueAt = undefined;
  }

  /** Sleeps `ms`, less if a change is announced meanwhile or `signal` aborts. */
  async wait(ms: number, signal: AbortSignal): Promise<void> {
    const early = new AbortController();
    const onAbort = (): void => early.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    this.wakeUp = onAbort;
    try {
      await abortableSleep(ms, early.signal);
    } finally {
      this.wakeUp = undefined;
      signal.removeEventListener("abort", onAbort);
    }
  }
}
