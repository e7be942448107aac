import { keepLease } from "../execution/local-lease";
import { loadDynamicPartitions } from "../storage/dynamic-partitions/load-dynamic-partitions";
import { requireConfirmationOnReplan } from "../planning/confirmation";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Definitions, ResourceEnvironment } from "../definitions/definitions";
import type { ReloadableDefinitions } from "../reload/reloadable-definitions";
import { describeError, isBadInput, LeaseLostError } from "../errors";
import type { RunEvent } from "../execution/events";
import { CHECKS_ONLY_TAG, executeCreatedRun, prepareRun, statusesFor } from "../execution/launch";
import { storedPartitionRequest } from "../planning/partition-request";
import type { FenceableStorage } from "../storage/storage";
import { DEFAULT_LIMITS, type ConcurrencyLimits } from "./pools";
import type { ClaimedRun, ExpiredRun, RunQueue } from "./run-queue";
import { isMaintenanceRun } from "../definitions/maintenance";
import { executeMaintenanceJob } from "../maintenance/maintenance-job";

export interface WorkerOptions {
  readonly definitions: Definitions<unknown>;
  /**
   * Definitions that may be loaded again while the worker runs: each run takes the current ones
   * when it is claimed and keeps them to its end; `definitions` is then ignored.
   */
  readonly reloadable?: ReloadableDefinitions;
  readonly storage: FenceableStorage;
  readonly queue: RunQueue;
  readonly environment: ResourceEnvironment;
  readonly workerId?: string;
  /** Runs this worker executes at once (default 1). */
  readonly concurrency?: number;
  /** How long a claim holds without a heartbeat (default 15 s: a dead worker's run restarts within about 20 s). */
  readonly leaseMs?: number;
  /** How often leases are renewed (default a third of the lease). */
  readonly heartbeatMs?: number;
  /** How often the queue is polled when no notification arrives (default 1 s). */
  readonly pollMs?: number;
  readonly limits?: ConcurrencyLimits;
  readonly log?: (message: string) => void;
  /** Called after each round of the loop that went well (claims, reaping): liveness. */
  readonly onAlive?: () => void;
  /** Sees every event of the runs this worker executes (live streams, metrics). */
  readonly onEvent?: (event: RunEvent, runId: string) => void;
  /** Sees the runs this worker's reaper found with an expired lease (metrics). */
  readonly onReaped?: (runs: readonly ExpiredRun[]) => void;
}

interface ActiveRun {
  readonly controller: AbortController;
  readonly done: Promise<void>;
  /** Set when the run's cancellation was asked for (API, CLI), not caused by a shutdown. */
  cancelled: boolean;
}

/**
 * Executes queued runs: claims them within the concurrency limits, renews their leases while
 * they execute, stops a run whose cancel was requested or whose lease was lost (then records
 * nothing more), and reaps runs whose worker died. Any number of workers, on any machines, share
 * one queue.
 */
export class Worker {
  readonly id: string;
  private readonly active = new Map<string, ActiveRun>();
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly concurrency: number;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private lastReap = 0;
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: WorkerOptions) {
    this.id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(100, Math.floor(this.leaseMs / 3));
    this.concurrency = Math.max(1, options.concurrency ?? 1);
  }

  async start(): Promise<void> {
    await this.listen();
    this.loop = this.run();
  }

  /** Listens for queued runs; if the connection breaks, the loop polls and listens again. */
  private async listen(): Promise<void> {
    this.unlisten = await this.options.queue.listen(
      () => this.wake?.(),
      () => {
        this.unlisten = undefined;
      },
    );
  }

  /** The runs executing here now. */
  activeRuns(): string[] {
    return [...this.active.keys()];
  }

  /** Asks a run executing here to stop; false if it is not executing here. */
  cancel(runId: string): boolean {
    const run = this.active.get(runId);
    if (!run) return false;
    run.cancelled = true;
    run.controller.abort(new Error("cancelled"));
    return true;
  }

  /**
   * Stops claiming, stops the runs executing here and gives them back to the queue for another
   * worker (a deployment or a scale-down does not cancel anyone's run), then waits for them.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    for (const run of this.active.values())
      run.controller.abort(new Error("the worker is stopping"));
    await this.loop;
    // A claim in flight when the stop began started its run after the loop above: stop it too.
    for (const run of this.active.values())
      run.controller.abort(new Error("the worker is stopping"));
    await Promise.allSettled([...this.active.values()].map((r) => r.done));
    await this.unlisten?.();
  }

  private async run(): Promise<void> {
    const { queue, log = (m: string) => console.error(m) } = this.options;
    const pollMs = this.options.pollMs ?? 1_000;
    while (!this.stopping) {
      try {
        if (!this.unlisten) await this.listen();
        if (Date.now() - this.lastReap >= Math.min(this.leaseMs / 2, 5_000)) {
          this.lastReap = Date.now();
          const reaped = await queue.reapExpired();
          if (reaped.length > 0) this.options.onReaped?.(reaped);
          for (const r of reaped)
            log(
              r.status === "QUEUED"
                ? `run ${r.id}: its worker stopped heartbeating; queued again (attempt ${r.attempt})`
                : r.status === "CANCELED"
                  ? `run ${r.id}: its worker stopped heartbeating; cancelled as asked`
                  : `run ${r.id}: its worker stopped heartbeating; no attempt left, failed`,
            );
        }
        while (!this.stopping && this.active.size < this.concurrency) {
          const claimed = await queue.claim(this.id, {
            leaseMs: this.leaseMs,
            limits: this.options.limits ?? DEFAULT_LIMITS,
          });
          if (!claimed) break;
          this.execute(claimed);
        }
        this.options.onAlive?.();
      } catch (error) {
        log(`worker ${this.id}: ${(error as Error).message}`);
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private execute(claimed: ClaimedRun): void {
    const controller = new AbortController();
    const active: { controller: AbortController; done: Promise<void>; cancelled: boolean } = {
      controller,
      done: Promise.resolve(),
      cancelled: false,
    };
    active.done = this.executeClaimed(claimed, active)
      .catch((error: unknown) =>
        (this.options.log ?? console.error)(`run ${claimed.id}: ${String(error)}`),
      )
      .finally(() => {
        this.active.delete(claimed.id);
        this.wake?.();
      });
    this.active.set(claimed.id, active);
  }

  private async executeClaimed(
    claimed: ClaimedRun,
    active: { controller: AbortController; cancelled: boolean },
  ): Promise<void> {
    const { controller } = active;
    const { storage, queue } = this.options;
    const { reloadable } = this.options;
    let held = reloadable?.acquire();
    let definitions = held?.definitions ?? this.options.definitions;
    const runId = claimed.id;
    let lost = false;
    const stopLease = keepLease({
      renew: () => queue.heartbeat(runId, this.id, this.leaseMs),
      everyMs: this.heartbeatMs,
      onLost: () => {
        lost = true;
        controller.abort(new LeaseLostError(runId));
      },
      onCancel: () => {
        active.cancelled = true;
        controller.abort(new Error("cancelled"));
      },
    });
    try {
      if (isMaintenanceRun(claimed.tags)) {
        await executeMaintenanceJob({
          storage: storage.fenced({ runId, workerId: this.id }),
          runId,
          databaseUrl: this.options.environment.databaseUrl,
          config: definitions.maintenance,
          signal: controller.signal,
          ...(this.options.onEvent ? { onEvent: this.options.onEvent } : {}),
          finish: (outcome, error) => this.finishClaimed(runId, outcome, error, active, lost),
        });
        return;
      }
      const now = new Date();
      const request = {
        selection: claimed.selection,
        partitions: storedPartitionRequest(claimed.partitionSpec),
        checksOnly: claimed.tags[CHECKS_ONLY_TAG] === "true",
        config: claimed.config,
        configStored: true,
      };
      // Bad input (the definitions changed since the run was queued, nothing is stale any more)
      // and resources that cannot be built fail the run with their reason; anything else (the
      // database briefly away) leaves it to the lease, and so to a retry.
      let prepared;
      let resources;
      for (let attempt = 1; ; attempt++) {
        try {
          const loaded = await loadDynamicPartitions(definitions, storage);
          prepared = prepareRun(
            loaded,
            request,
            now,
            await statusesFor(loaded, storage, request, now),
          );
          // What is stale may have grown since the request was accepted without confirmation.
          requireConfirmationOnReplan(definitions, prepared.plan, claimed.tags);
          break;
        } catch (error) {
          if (!isBadInput(error)) throw error;
          // Definitions another process has just loaded (a new asset) may not have reached this
          // one yet: it loads its own again, once, before failing the run.
          if (attempt === 1 && reloadable) {
            await reloadable.reload();
            if (reloadable.current().definitions !== definitions) {
              await held?.release();
              held = reloadable.acquire();
              definitions = held.definitions;
              continue;
            }
          }
          await this.failBeforeStart(runId, `the run cannot be planned: ${describeError(error)}`);
          return;
        }
      }
      try {
        resources = await definitions.resolveResources(this.options.environment);
      } catch (error) {
        await this.failBeforeStart(
          runId,
          `the definitions' resources could not be created: ${describeError(error)}`,
        );
        return;
      }
      await executeCreatedRun({
        definitions,
        storage: storage.fenced({ runId, workerId: this.id }),
        prepared,
        environment: this.options.environment,
        resources,
        runId,
        tags: claimed.tags,
        signal: controller.signal,
        ...(this.options.onEvent ? { onEvent: this.options.onEvent } : {}),
        finish: (outcome, error) => this.finishClaimed(runId, outcome, error, active, lost),
      });
    } finally {
      stopLease();
      await held?.release();
    }
  }

  /**
   * Records a claimed run's outcome while this worker holds it; a run stopped by this worker's
   * shutdown (not cancelled) goes back to the queue instead.
   */
  private async finishClaimed(
    runId: string,
    outcome: "SUCCESS" | "FAILURE" | "CANCELED",
    error: string | undefined,
    active: { cancelled: boolean },
    lost: boolean,
  ): Promise<void> {
    const { queue } = this.options;
    if (!lost && outcome === "CANCELED" && this.stopping && !active.cancelled) {
      if (await queue.release(runId, this.id)) return;
    }
    if (lost || !(await queue.finish(runId, this.id, outcome, error))) {
      (this.options.log ?? console.error)(
        `run ${runId}: this worker lost its lease; its outcome (${outcome}) is not recorded`,
      );
    }
  }

  private async failBeforeStart(runId: string, message: string): Promise<void> {
    const { storage, queue } = this.options;
    await storage.fenced({ runId, workerId: this.id }).appendEvents(runId, [
      {
        type: "RUN_FAILURE",
        level: "error",
        message: `Run failed: ${message}`,
        timestamp: new Date(),
      },
    ]);
    await queue.finish(runId, this.id, "FAILURE", message);
  }
}
