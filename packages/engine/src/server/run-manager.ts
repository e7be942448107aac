import type { Definitions, ResourceEnvironment } from "../definitions/definitions";
import { executeRun, type PreparedRun } from "../execution/launch";
import type { LaunchedBy } from "../storage/launched-by";
import type { Storage } from "../storage/storage";

interface ActiveRun {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * The runs this server started, executing in this process. Keeps one AbortController per run
 * (cancellation) and wakes the event streams of a run as soon as it emits something, so live
 * streams do not wait for their next poll.
 */
export class RunManager {
  private readonly active = new Map<string, ActiveRun>();
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(
    private readonly options: {
      readonly definitions: Definitions<unknown>;
      readonly storage: Storage;
      readonly environment: ResourceEnvironment;
      /** Where failures of the background run itself (not of its steps) are reported. */
      readonly log: (message: string) => void;
    },
  ) {}

  /**
   * Starts a prepared run in the background and resolves to its id once the run row exists
   * (so that a client can read it at once). Rejects if the run could not even be created,
   * e.g. when the definitions' resources fail to resolve.
   */
  start(
    prepared: PreparedRun,
    tags: Record<string, string>,
    launchedBy: LaunchedBy,
  ): Promise<string> {
    const controller = new AbortController();
    return new Promise<string>((resolve, reject) => {
      let created: string | undefined;
      const execution = executeRun({
        definitions: this.options.definitions,
        storage: this.options.storage,
        prepared,
        environment: this.options.environment,
        tags,
        launchedBy,
        signal: controller.signal,
        onRunCreated: (runId) => {
          created = runId;
          this.active.set(runId, { controller, done });
          resolve(runId);
        },
        onEvent: (_event, runId) => this.notify(runId),
      });
      const done: Promise<void> = execution.then(
        (result) => {
          this.active.delete(result.runId);
          this.notify(result.runId);
        },
        (error: unknown) => {
          if (created === undefined) {
            reject(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          this.active.delete(created);
          this.notify(created);
          this.options.log(`run ${created} could not complete: ${String(error)}`);
        },
      );
    });
  }

  /** Whether the run is executing in this process. */
  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  /** Asks a run of this process to stop; false if it is not running here. */
  cancel(runId: string): boolean {
    const run = this.active.get(runId);
    if (!run) return false;
    run.controller.abort(new Error("cancelled through the API"));
    return true;
  }

  /** Calls `listener` whenever the run emits an event or ends; returns the unsubscribe. */
  subscribe(runId: string, listener: () => void): () => void {
    const set = this.listeners.get(runId) ?? new Set();
    set.add(listener);
    this.listeners.set(runId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(runId);
    };
  }

  /** Cancels every run of this process and waits for them to end (server shutdown). */
  async stopAll(): Promise<void> {
    const runs = [...this.active.values()];
    for (const run of runs) run.controller.abort(new Error("the server is stopping"));
    await Promise.allSettled(runs.map((r) => r.done));
  }

  private notify(runId: string): void {
    for (const listener of this.listeners.get(runId) ?? []) listener();
  }
}
