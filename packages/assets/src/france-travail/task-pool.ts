/**
 * Runs async tasks with at most `concurrency` in flight, lower priority numbers first, FIFO
 * within a priority. Tasks may add more tasks while they run. `run()` settles when nothing is
 * queued or running; on the first failure (or when the caller's signal aborts) it stops
 * starting tasks, aborts `signal` so running tasks stop early, waits for them, and rejects with
 * that first error. Once settled it holds no listener on the caller's signal.
 *
 * @example
 * const pool = new TaskPool(4, callerSignal);
 * pool.add(0, async () => { pool.add(1, () => fetchPage(2, pool.signal)); });
 * await pool.run();
 */
export class TaskPool {
  private readonly queues: (() => Promise<void>)[][] = [];
  private readonly controller = new AbortController();
  private running = 0;
  private failure: { error: unknown } | undefined;
  private settle: { resolve(): void; reject(error: unknown): void } | undefined;
  /** Removes this pool's listener from the caller's signal. */
  private detach: (() => void) | undefined;

  constructor(
    private readonly concurrency: number,
    callerSignal?: AbortSignal,
  ) {
    if (!(concurrency >= 1)) throw new RangeError(`concurrency must be ≥ 1, got ${concurrency}`);
    if (callerSignal?.aborted) {
      this.fail(callerSignal.reason);
    } else if (callerSignal) {
      const onAbort = (): void => this.fail(callerSignal.reason);
      callerSignal.addEventListener("abort", onAbort, { once: true });
      // The caller's signal outlives the pool (a whole run's, shared by many pools): the
      // listener goes when the pool settles, else they pile up on it.
      this.detach = () => callerSignal.removeEventListener("abort", onAbort);
    }
  }

  /** Aborted when the pool fails or the caller aborts: pass it to every task's I/O. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  add(priority: number, task: () => Promise<void>): void {
    if (this.failure) return;
    (this.queues[priority] ??= []).push(task);
    this.pump();
  }

  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      this.pump();
    });
  }

  private pump(): void {
    while (!this.failure && this.running < this.concurrency) {
      const task = this.take();
      if (!task) break;
      this.running++;
      task().then(
        () => this.finished(),
        (error: unknown) => {
          this.fail(error);
          this.finished();
        },
      );
    }
    this.checkDone();
  }

  private finished(): void {
    this.running--;
    this.pump();
  }

  private take(): (() => Promise<void>) | undefined {
    for (const queue of this.queues) {
      if (queue && queue.length > 0) return queue.shift();
    }
    return undefined;
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    this.queues.length = 0;
    this.controller.abort(error);
    this.checkDone();
  }

  private checkDone(): void {
    if (!this.settle || this.running > 0) return;
    if (this.failure) {
      this.release();
      this.settle.reject(this.failure.error);
    } else if (this.queues.every((q) => !q || q.length === 0)) {
      this.release();
      this.settle.resolve();
    }
  }

  private release(): void {
    this.detach?.();
    this.detach = undefined;
  }
}
