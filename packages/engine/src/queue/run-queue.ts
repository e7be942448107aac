import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import pg from "pg";
import { connectPool, inTransaction } from "../storage/transaction";
import type { PreparedRun } from "../execution/launch";
import type { NewRun } from "../storage/storage";
import type { ConcurrencyLimits } from "./pools";

/** Arbitrary constant: claims are serialised so that limits are counted consistently. */
const CLAIM_LOCK = 7_342_020;
/** Arbitrary constant: with a hash of the request, serialises identical requests (see enqueueOrMerge). */
const MERGE_LOCK = 7_342_022;
/** Channel NOTIFYed when runs are queued, so idle workers start at once. */
export const QUEUE_CHANNEL = "lignee_run_queued";

export interface EnqueueOptions {
  readonly tags?: Record<string, string>;
  /** Tries in all, counting the first (a run whose worker dies is retried until this). */
  readonly maxAttempts?: number;
  readonly pools?: readonly string[];
  readonly id?: string;
}

/** A run a worker claimed: what it needs to plan and execute it. */
export interface ClaimedRun {
  readonly id: string;
  readonly selection: string;
  readonly partitionSpec: Record<string, unknown> | null;
  readonly tags: Record<string, string>;
  readonly attempt: number;
  readonly maxAttempts: number;
}

export interface LeaseState {
  /** False when the lease expired or the run was taken away: the worker must stop. */
  readonly held: boolean;
  readonly cancelRequested: boolean;
}

export interface ExpiredRun {
  readonly id: string;
  /** QUEUED again for another attempt, FAILURE when attempts are exhausted, CANCELED if asked. */
  readonly status: "QUEUED" | "FAILURE" | "CANCELED";
  readonly attempt: number;
}

/**
 * The run queue, in PostgreSQL: queued runs are rows of `lignee.runs` with status QUEUED.
 * Workers claim the oldest run that fits the concurrency limits (`FOR UPDATE SKIP LOCKED`, claims
 * serialised by an advisory lock so counts are exact), hold a lease renewed by heartbeats, and
 * finish the run only while they hold it. A lease that expires (a worker killed, a machine lost)
 * puts the run back in the queue until its attempts are used up.
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
    prepared: Pick<PreparedRun, "selection" | "assetKeys" | "partitions">,
    options: EnqueueOptions = {},
    client: Pick<pg.PoolClient, "query"> = this.pool,
  ): Promise<string> {
    const id = options.id ?? randomUUID();
    await client.query(
      `WITH inserted AS (
         INSERT INTO lignee.runs
           (id, status, selection, asset_keys, partition_spec, tags, max_attempts, pools, hostname, pid)
         VALUES ($1, 'QUEUED', $2, $3::jsonb, $4::jsonb, $5::jsonb, $6, $7::jsonb, $8, $9)
         RETURNING id)
       SELECT pg_notify($10, id) FROM inserted`,
      [
        id,
        prepared.selection,
        JSON.stringify(prepared.assetKeys),
        JSON.stringify(prepared.partitions),
        JSON.stringify(options.tags ?? {}),
        options.maxAttempts ?? 1,
        JSON.stringify(options.pools ?? []),
        hostname(),
        process.pid,
        QUEUE_CHANNEL,
      ],
    );
    return id;
  }

  /**
   * Queues a run unless the same request (selection, partition request and tags) is queued
   * already, outside any backfill: then that run is the answer and nothing is inserted. Requests
   * are serialised per content, so that identical requests at once make one run.
   */
  async enqueueOrMerge(
    prepared: Pick<PreparedRun, "selection" | "assetKeys" | "partitions">,
    options: EnqueueOptions = {},
  ): Promise<{ runId: string; merged: boolean }> {
    const spec = JSON.stringify(prepared.partitions);
    const tags = JSON.stringify(options.tags ?? {});
    return inTransaction(this.pool, "run queue", async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [
        MERGE_LOCK,
        `${prepared.selection}\n${spec}\n${tags}`,
      ]);
      const queued = await tx.query<{ id: string }>(
        `SELECT id FROM lignee.runs
           WHERE status = 'QUEUED' AND backfill_id IS NULL
             AND selection = $1 AND partition_spec = $2::jsonb AND tags = $3::jsonb
           ORDER BY created_at, id
           LIMIT 1`,
        [prepared.selection, spec, tags],
      );
      const existing = queued.rows[0]?.id;
      if (existing !== undefined) return { runId: existing, merged: true };
      return { runId: await this.enqueue(prepared, options, tx), merged: false };
    });
  }

  /**
   * Claims the oldest queued run that the limits allow, or undefined. The claimed run is
   * STARTED, leased to `workerId` for `leaseMs`.
   */
  async claim(
    workerId: string,
    options: { leaseMs: number; limits: ConcurrencyLimits },
  ): Promise<ClaimedRun | undefined> {
    return inTransaction(this.pool, "run queue", async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [CLAIM_LOCK]);
      const total = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM lignee.runs WHERE status = 'STARTED' AND worker_id IS NOT NULL`,
      );
      if (total.rows[0]!.n >= options.limits.maxConcurrentRuns) {
        return undefined;
      }
      const full = (await poolUsage(tx, options.limits)).map((p) => p.pool);
      const candidate = await tx.query<{ id: string }>(
        `SELECT id FROM lignee.runs
           WHERE status = 'QUEUED' AND NOT (pools ?| $1::text[])
           ORDER BY (backfill_id IS NOT NULL), created_at, id
           LIMIT 1
           FOR UPDATE SKIP LOCKED`,
        [full],
      );
      const id = candidate.rows[0]?.id;
      if (id === undefined) {
        return undefined;
      }
      const claimed = await tx.query<{
        id: string;
        selection: string;
        partition_spec: Record<string, unknown> | null;
        tags: Record<string, string>;
        attempt: number;
        max_attempts: number;
      }>(
        `UPDATE lignee.runs
           SET status = 'STARTED', worker_id = $2, lease_expires_at = now() + $3 * interval '1 millisecond',
               started_at = coalesce(started_at, now()), hostname = $4, pid = $5
           WHERE id = $1
           RETURNING id, selection, partition_spec, tags, attempt, max_attempts`,
        [id, workerId, options.leaseMs, hostname(), process.pid],
      );
      const row = claimed.rows[0]!;
      return {
        id: row.id,
        selection: row.selection,
        partitionSpec: row.partition_spec,
        tags: row.tags,
        attempt: row.attempt,
        maxAttempts: row.max_attempts,
      };
    });
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
    return inTransaction(this.pool, "run queue", async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [CLAIM_LOCK]);
      const full = (await poolUsage(tx, limits)).filter((p) => pools.includes(p.pool));
      if (full.length > 0) return { started: false, full };
      await tx.query(
        `INSERT INTO lignee.runs
           (id, status, selection, asset_keys, partition_spec, tags, pools, hostname, pid, started_at)
         VALUES ($1, 'STARTED', $2, $3::jsonb, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8, now())`,
        [
          run.id,
          run.selection,
          JSON.stringify(run.assetKeys),
          JSON.stringify(run.partitionSpec),
          JSON.stringify(run.tags ?? {}),
          JSON.stringify(pools),
          run.hostname,
          run.pid,
        ],
      );
      return { started: true };
    });
  }

  /** Renews the lease; tells whether it is still held and whether a cancel was requested. */
  async heartbeat(runId: string, workerId: string, leaseMs: number): Promise<LeaseState> {
    const result = await this.pool.query<{ cancel_requested: boolean }>(
      `UPDATE lignee.runs SET lease_expires_at = now() + $3 * interval '1 millisecond'
       WHERE id = $1 AND worker_id = $2 AND status = 'STARTED' AND lease_expires_at > now()
       RETURNING cancel_requested`,
      [runId, workerId, leaseMs],
    );
    const row = result.rows[0];
    return { held: row !== undefined, cancelRequested: row?.cancel_requested ?? false };
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
    const result = await this.pool.query(
      `UPDATE lignee.runs
       SET status = $3, error = $4, ended_at = now(), lease_expires_at = NULL
       WHERE id = $1 AND worker_id = $2 AND status = 'STARTED' AND lease_expires_at > now()`,
      [runId, workerId, status, error ?? null],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * Gives a run back to the queue, as it was before it was claimed (same attempt): the worker is
   * shutting down cleanly and another one will execute it. Returns whether the worker held it.
   */
  async release(runId: string, workerId: string): Promise<boolean> {
    return inTransaction(this.pool, "run queue", async (tx) => {
      const released = await tx.query(
        `UPDATE lignee.runs SET status = 'QUEUED', worker_id = NULL, lease_expires_at = NULL
         WHERE id = $1 AND worker_id = $2 AND status = 'STARTED'`,
        [runId, workerId],
      );
      if ((released.rowCount ?? 0) === 0) return false;
      await tx.query(`DELETE FROM lignee.asset_running WHERE run_id = $1`, [runId]);
      await tx.query(
        `INSERT INTO lignee.events (run_id, type, level, message)
         VALUES ($1, 'RUN_REQUEUED', 'warn', 'Its worker is shutting down: queued again for another worker')`,
        [runId],
      );
      await tx.query("SELECT pg_notify($1, $2)", [QUEUE_CHANNEL, runId]);
      return true;
    });
  }

  /**
   * Runs whose lease expired: queued again (attempt + 1) while attempts remain, failed
   * otherwise; their running marks become failed marks. Any worker may call it.
   */
  async reapExpired(): Promise<ExpiredRun[]> {
    return inTransaction(this.pool, "run queue", async (tx) => {
      const expired = await tx.query<{
        id: string;
        status: ExpiredRun["status"];
        attempt: number;
      }>(
        // A run whose cancellation was asked for is not retried: it ends CANCELED.
        `UPDATE lignee.runs r
           SET status = CASE WHEN r.cancel_requested THEN 'CANCELED'
                             WHEN r.attempt < r.max_attempts THEN 'QUEUED' ELSE 'FAILURE' END,
               attempt = CASE WHEN NOT r.cancel_requested AND r.attempt < r.max_attempts
                              THEN r.attempt + 1 ELSE r.attempt END,
               ended_at = CASE WHEN NOT r.cancel_requested AND r.attempt < r.max_attempts
                               THEN NULL ELSE now() END,
               error = CASE WHEN r.cancel_requested THEN 'cancelled (its worker had stopped heartbeating)'
                            WHEN r.attempt < r.max_attempts THEN NULL
                            ELSE 'its worker stopped heartbeating (lease expired) and no attempt is left' END,
               worker_id = NULL, lease_expires_at = NULL, cancel_requested = false
           FROM (SELECT id FROM lignee.runs
                 WHERE status = 'STARTED' AND worker_id IS NOT NULL AND lease_expires_at < now()
                 FOR UPDATE SKIP LOCKED) due
           WHERE r.id = due.id
           RETURNING r.id, r.status, r.attempt`,
      );
      for (const run of expired.rows) {
        await tx.query(
          `INSERT INTO lignee.asset_failed (asset_key, partitions)
             SELECT asset_key, partitions FROM lignee.asset_running WHERE run_id = $1
             ON CONFLICT (asset_key) DO UPDATE SET partitions = asset_failed.partitions + excluded.partitions`,
          [run.id],
        );
        await tx.query(`DELETE FROM lignee.asset_running WHERE run_id = $1`, [run.id]);
        const event = {
          QUEUED: [
            "RUN_RETRY",
            "warn",
            `Its worker stopped heartbeating: queued again (attempt ${run.attempt})`,
          ],
          FAILURE: [
            "RUN_FAILURE",
            "error",
            "Run failed: its worker stopped heartbeating and no attempt is left",
          ],
          CANCELED: ["RUN_CANCELED", "warn", "Run cancelled (its worker had stopped heartbeating)"],
        }[run.status];
        await tx.query(
          `INSERT INTO lignee.events (run_id, type, level, message) VALUES ($1, $2, $3, $4)`,
          [run.id, ...event],
        );
        if (run.status === "QUEUED")
          await tx.query("SELECT pg_notify($1, $2)", [QUEUE_CHANNEL, run.id]);
      }
      return expired.rows;
    });
  }

  /**
   * Cancels a run wherever it is: a queued run at once, a started one at its worker's next
   * heartbeat. Returns what happened, or undefined if the run is already finished or unknown.
   */
  async requestCancel(runId: string): Promise<"CANCELED" | "CANCELING" | undefined> {
    const queued = await this.pool.query(
      `WITH done AS (
         UPDATE lignee.runs SET status = 'CANCELED', ended_at = now(), error = 'cancelled before it started'
         WHERE id = $1 AND status = 'QUEUED' RETURNING id)
       INSERT INTO lignee.events (run_id, type, level, message)
       SELECT id, 'RUN_CANCELED', 'warn', 'Run cancelled before it started' FROM done`,
      [runId],
    );
    if ((queued.rowCount ?? 0) > 0) return "CANCELED";
    const started = await this.pool.query(
      `UPDATE lignee.runs SET cancel_requested = true WHERE id = $1 AND status = 'STARTED'`,
      [runId],
    );
    return (started.rowCount ?? 0) > 0 ? "CANCELING" : undefined;
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

/** A pool at its limit, and the runs holding its slots. */
export interface PoolUsage {
  readonly pool: string;
  readonly limit: number;
  readonly runIds: readonly string[];
}

/**
 * The pools at their limit. Every live run counts, a worker's or one a process executes itself
 * (a run whose worker's lease expired is the reaper's, not a holder).
 */
async function poolUsage(tx: pg.PoolClient, limits: ConcurrencyLimits): Promise<PoolUsage[]> {
  const running = await tx.query<{ pool: string; run_ids: string[] }>(
    `SELECT p.pool, array_agg(r.id ORDER BY r.started_at) AS run_ids
       FROM lignee.runs r, jsonb_array_elements_text(r.pools) AS p(pool)
       WHERE r.status = 'STARTED' AND (r.worker_id IS NULL OR r.lease_expires_at > now())
       GROUP BY p.pool`,
  );
  const holders = new Map(running.rows.map((row) => [row.pool, row.run_ids]));
  return Object.entries(limits.pools)
    .filter(([pool, limit]) => (holders.get(pool)?.length ?? 0) >= limit)
    .map(([pool, limit]) => ({ pool, limit, runIds: holders.get(pool) ?? [] }));
}
