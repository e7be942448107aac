import type { NumberedLine } from "./ndjson-lines";

/** What `push` throws once the reader stopped reading (the reader's own failure says why). */
export class ReaderStoppedError extends Error {
  constructor() {
    super("the reader of the lines stopped");
    this.name = "ReaderStoppedError";
  }
}

/**
 * Lines handed from a producer to one consumer that reads them as an async iterable, numbered
 * in the order they were pushed (from 1). `push` waits while more than `highWater` lines are
 * unread, so a slow consumer slows the producer down instead of letting lines pile up.
 * `end()` finishes the iteration once the lines pushed are read; `fail(error)` makes it throw
 * `error` at once, lines unread or not. Once the consumer stops reading (it failed, or broke
 * out of its loop), `push` rejects.
 *
 * @example
 * const channel = new LineChannel();
 * const loading = loadOffresLines(warehouse, channel, day, { source: "api" });
 * await channel.push(['{"id":"1"}']);
 * channel.end();
 * await loading;
 */
export class LineChannel implements AsyncIterable<NumberedLine> {
  private queue: NumberedLine[] = [];
  private head = 0;
  private pushed = 0;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private stopped = false;
  private wakeConsumer: (() => void) | undefined;
  private waitingProducers: (() => void)[] = [];

  constructor(private readonly highWater = 8192) {}

  /** Lines pushed so far. */
  get count(): number {
    return this.pushed;
  }

  async push(lines: readonly string[]): Promise<void> {
    this.assertOpen();
    for (const text of lines) this.queue.push({ number: ++this.pushed, text });
    this.wake();
    while (this.unread() > this.highWater && !this.stopped) {
      await new Promise<void>((resolve) => this.waitingProducers.push(resolve));
    }
    this.assertOpen();
  }

  /** No more lines: the iteration ends after the last one. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** The iteration throws `error` (what was pushed and not read yet is dropped). */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<NumberedLine> {
    try {
      for (;;) {
        if (this.failure) throw this.failure.error;
        if (this.head < this.queue.length) {
          const line = this.queue[this.head++]!;
          this.compact();
          yield line;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      }
    } finally {
      this.stopped = true;
      this.releaseProducers();
    }
  }

  private unread(): number {
    return this.queue.length - this.head;
  }

  private assertOpen(): void {
    if (this.stopped) throw new ReaderStoppedError();
    if (this.ended || this.failure) throw new Error("no more lines may be pushed");
  }

  private wake(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }

  /** Drops the lines read and lets producers go on once the queue is half empty. */
  private compact(): void {
    if (this.head >= 4096 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.waitingProducers.length > 0 && this.unread() <= this.highWater / 2) {
      this.releaseProducers();
    }
  }

  private releaseProducers(): void {
    const waiting = this.waitingProducers;
    this.waitingProducers = [];
    for (const resolve of waiting) resolve();
  }
}
