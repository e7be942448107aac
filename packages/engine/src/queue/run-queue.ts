import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import pg from "pg";
import { connectPool, inTransaction } from "../storage/transaction";
import type { PreparedRun } from "../execution/launch";
import type { LaunchedBy } from "../storage/launched-by";
import type { NewRun } from "../storage/storage";
import { cancelQueuedRuns } from "../storage/runs/cancel-queued";
import { claimRun, type ClaimedRun } from "../storage/runs/claim";
import { enqueueRun, enqueueUnlessQueued, type EnqueuedRun } from "../storage/runs/enqueue";
import { finishRun } from "../storage/runs/finish";
import { heartbeatRun, type LeaseState } from "../storage/runs/heartbeat";
import type { PoolUsage } from "../storage/runs/pool-usage";
import { QUEUE_CHANNEL } from "../storage/runs/queue-channel";
import { reapExpiredRuns, type ExpiredRun } from "../storage/runs/reap";
import { announceRunEnd } from "../storage/alerts/announce-run-end";
import { releaseRun } from "../storage/runs/release";
import { requestCancelRuns } from "../storage/runs/request-cancel";
import { startAdmitted } from "../storage/runs/start";
import type { ConcurrencyLimits } from "./pools";

export type { ClaimedRun } from "../storage/runs/claim";
export type { LeaseState } from "../storage/runs/heartbeat";
export type { PoolUsage } from "../storage/runs/pool-usage";
export { QUEUE_CHANNEL } from "../storage/runs/queue-channel";
export type { ExpiredRun } from "../storage/runs/reap";

export interface EnqueueOptions {
  readonly tags?: Record<string, string>;
  /** Tries in all, counting the first (a run whose worker dies is retried until this). */
  readonly maxAttempts?: number;
  readonly pools?: readonly string[];
  readonly id?: string;
  /** What launches the run (recorded unknown when left out). */
  readonly launchedBy?: LaunchedBy;
}

type Request = Pick<PreparedRun, "selection" | "assetKeys" | "partitions"> &
  Partial<Pick<PreparedRun, "config">>;

/**
 * The run queue, in PostgreSQL: queued runs are rows of `lignee.runs` with status QUEUED.
 * Workers claim the oldest run that fits the concurrency limits (`FOR UPDATE SKIP LOCKED`, claims
 * serialised by an advisory lock so counts are exact), hold a lease renewed by heartbeats, and
 * finish the run only while they hold it. A lease that expires (a worker killed, a machine lost)
 * puts the run back in the queue until its attempts are used up. Each method is one transition
 * of the run state machine (`storage/runs/`).
 */
export class RunQueue {
  private constructor(private readonly pool: pg.Pool) {}

  static connect(connectionString: string): RunQueue {
    return new RunQueue(connectPool(connectionString, 4));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Queues a prepared (validated) run; resolves to its id. */
  async enqueue(
    prepared: Request,
    options: EnqueueOptions = {},
    client: Pick<pg.PoolClient, "query"> = this.pool,
  ): Promise<string> {
    const run = toEnqueued(prepared, options);
    await enqueueRun(client, run);
    return run.id;
  }

  /**
   * Queues a run unless the same request (selection, partition request and tags) is queued
   * already, outside any backfill: then that run is the answer and nothing is inserted. Requests
   * are serialised per content, so that identical requests at once make one run.
   */
  async enqueueOrMerge(
    prepared: Request,
    options: EnqueueOptions = {},
  ): Promise<{ runId: string; merged: boolean }> {
    const run = toEnqueued(prepared, options);
    return inTransaction(this.pool, "run queue", (tx) => enqueueUnlessQueued(tx, run));
  }

  /**
   * Claims the oldest queued run that the limits allow, or undefined. The claimed run is
   * STARTED, leased to `workerId` for `leaseMs`.
   */
  async claim(
    workerId: string,
    options: { leaseMs: number; limits: ConcurrencyLimits },
  ): Promise<ClaimedRun | undefined> {
    return inTransaction(this.pool, "run queue", (tx) =>
      claimRun(tx, { workerId, ...options, hostname: hostname(), pid: process.pid }),
    );
  }

  /**
   * Records a run that this process executes itself (`lignee materialize`) as STARTED, once the
   * pools it takes a slot of have room: the pools' limits hold across workers and local runs
   * alike. Resolves to the full pools (and nothing is recorded) when one of its pools is full.
   */
  async startLocal(
    run: NewRun,
    pools: readonly string[],
    limits: ConcurrencyLimits,
  ): Promise<{ started: true } | { started: false; full: readonly PoolUsage[] }> {
    return inTransaction(this.pool, "run queue", (tx) =>
      startAdmitted(tx, { ...run, pools }, limits),
    );
  }

  /** Renews the lease; tells whether it is still held and whether a cancel was requested. */
  async heartbeat(runId: string, workerId: string, leaseMs: number): Promise<LeaseState> {
    return heartbeatRun(this.pool, runId, workerId, leaseMs);
  }

  /**
   * Records a claimed run's outcome, only if the worker still holds it; returns whether it did.
   */
  async finish(
    runId: string,
    workerId: string,
    status: "SUCCESS" | "FAILURE" | "CANCELED",
    error: string | undefined,
  ): Promise<boolean> {
    // The announcement (run_failed, schedule_succeeded) commits with the run's end.
    return inTransaction(this.pool, "run queue", async (tx) => {
      const finished = await finishRun(tx, runId, status, error, { workerId });
      if (finished) await announceRunEnd(tx, runId);
      return finished;
    });
  }

  /**
   * Gives a run back to the queue, as it was before it was claimed (same attempt): the worker is
   * shutting down cleanly and another one will execute it. Returns whether the worker held it.
   */
  async release(runId: string, workerId: string): Promise<boolean> {
    return releaseRun(this.pool, runId, workerId);
  }

  /**
   * Runs whose lease expired: queued again (attempt + 1) while attempts remain, failed
   * otherwise; their running marks become failed marks. Any worker may call it.
   */
  async reapExpired(): Promise<ExpiredRun[]> {
    return reapAndAnnounce(this.pool);
  }

  /**
   * Cancels a run wherever it is: a queued run at once, a started one at its worker's next
   * heartbeat. Returns what happened, or undefined if the run is already finished or unknown.
   */
  async requestCancel(runId: string): Promise<"CANCELED" | "CANCELING" | undefined> {
    const canceled = await cancelQueuedRuns(
      this.pool,
      { runId },
      {
        error: "cancelled before it started",
        message: "Run cancelled before it started",
      },
    );
    if (canceled > 0) return "CANCELED";
    if ((await requestCancelRuns(this.pool, { runId })) === 0) return undefined;
    // A run whose worker or process is gone (lease expired) has nobody to see the request:
    // reaping ends it CANCELED now rather than at the next reaper's round.
    const reaped = await reapAndAnnounce(this.pool);
    return reaped.some((r) => r.id === runId && r.status === "CANCELED") ? "CANCELED" : "CANCELING";
  }

  /**
   * Calls `onQueued` whenever a run is queued (LISTEN); returns the unsubscribe. If the
   * listening connection breaks (the database restarting), `onLost` is called once: the caller
   * polls meanwhile and listens again.
   */
  async listen(
    onQueued: () => void,
    onLost: () => void = () => undefined,
  ): Promise<() => Promise<void>> {
    const client = await this.pool.connect();
    let lost = false;
    const handler = (): void => onQueued();
    const onError = (): void => {
      if (lost) return;
      lost = true;
      client.off("notification", handler);
      client.release(true); // destroyed, not returned to the pool
      onLost();
    };
    client.on("notification", handler);
    client.on("error", onError);
    try {
      await client.query(`LISTEN ${QUEUE_CHANNEL}`);
    } catch (error) {
      onError();
      throw error;
    }
    return async () => {
      if (lost) return;
      lost = true;
      client.off("notification", handler);
      client.off("error", onError);
      await client.query(`UNLISTEN ${QUEUE_CHANNEL}`).catch(() => undefined);
      client.release();
    };
  }
}

/** reap, with a `run_failed` event for each run it failed, in the same transaction. */
function reapAndAnnounce(pool: pg.Pool): Promise<ExpiredRun[]> {
  return inTransaction(pool, "run queue", async (tx) => {
    const reaped = await reapExpiredRuns(tx);
    for (const run of reaped) if (run.status === "FAILURE") await announceRunEnd(tx, run.id);
    return reaped;
  });
}

function toEnqueued(prepared: Request, options: EnqueueOptions): EnqueuedRun {
  return {
    id: options.id ?? randomUUID(),
    selection: prepared.selection,
    assetKeys: prepared.assetKeys,
    partitionSpec: prepared.partitions,
    tags: options.tags ?? {},
    config: prepared.config ?? {},
    pools: options.pools ?? [],
    maxAttempts: options.maxAttempts ?? 1,
    hostname: hostname(),
    pid: process.pid,
    ...(options.launchedBy ? { launchedBy: options.launchedBy } : {}),
  };
}
