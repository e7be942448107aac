import type { Storage } from "../storage/storage";
import type { RunEvent } from "./events";

/**
 * Buffers a run's events and writes them in batches, in order, so that a chatty step does not
 * cost one round trip per log line. `flush()` waits until everything emitted so far is stored.
 */
export class EventWriter {
  private buffer: RunEvent[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private failure: unknown;

  constructor(
    private readonly storage: Storage,
    private readonly runId: string,
    private readonly options: { maxDelayMs?: number; maxBatch?: number } = {},
  ) {}

  write(event: RunEvent): void {
    this.buffer.push(event);
    if (this.buffer.length >= (this.options.maxBatch ?? 500)) this.schedule(0);
    else if (!this.timer) this.schedule(this.options.maxDelayMs ?? 50);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.drain();
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * For the run's last write, which carries them itself: waits until every batch under way is
   * stored, then hands over the events not written yet (none are written after).
   */
  async takeRest(): Promise<RunEvent[]> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
    const rest = this.buffer;
    this.buffer = [];
    return rest;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, ms);
  }

  private drain(): void {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.chain = this.chain.then(() =>
      this.storage.appendEvents(this.runId, batch).catch((e: unknown) => {
        this.failure ??= e;
      }),
    );
  }
}
