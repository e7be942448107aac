import type pg from "pg";
import type { ConcurrencyLimits } from "./pool-usage";
import { ADMISSION_LOCK, poolUsage } from "./pool-usage";
import { statusGuard } from "./transitions";

/** A run a worker claimed: what it needs to plan and execute it. */
export interface ClaimedRun {
  readonly id: string;
  readonly selection: string;
  readonly partitionSpec: Record<string, unknown> | null;
  readonly tags: Record<string, string>;
  /** The config it was queued with, per asset key. */
  readonly config: Record<string, unknown>;
  readonly attempt: number;
  readonly maxAttempts: number;
}

export interface ClaimOptions {
  readonly workerId: string;
  readonly leaseMs: number;
  readonly limits: ConcurrencyLimits;
  readonly hostname: string;
  readonly pid: number;
}

/**
 * claim: QUEUED → STARTED, leased to a worker, for the oldest queued run the limits allow (in
 * the caller's transaction). Runs of no backfill go first. Claims are serialised by an advisory
 * lock so that the limits are counted exactly; `SKIP LOCKED` passes over a run being cancelled.
 */
export async function claimRun(
  tx: pg.PoolClient,
  options: ClaimOptions,
): Promise<ClaimedRun | undefined> {
  await tx.query("SELECT pg_advisory_xact_lock($1)", [ADMISSION_LOCK]);
  const total = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM lignee.runs WHERE status = 'STARTED' AND worker_id IS NOT NULL`,
  );
  if (total.rows[0]!.n >= options.limits.maxConcurrentRuns) return undefined;
  const full = (await poolUsage(tx, options.limits)).map((p) => p.pool);
  const claimed = await tx.query<{
    id: string;
    selection: string;
    partition_spec: Record<string, unknown> | null;
    tags: Record<string, string>;
    config: Record<string, unknown>;
    attempt: number;
    max_attempts: number;
  }>(
    `UPDATE lignee.runs r
       SET status = 'STARTED', worker_id = $2, lease_expires_at = now() + $3 * interval '1 millisecond',
           started_at = coalesce(r.started_at, now()), hostname = $4, pid = $5
       FROM (SELECT id FROM lignee.runs
               WHERE ${statusGuard("claim")} AND NOT (pools ?| $1::text[])
               ORDER BY (backfill_id IS NOT NULL), created_at, id
               LIMIT 1
               FOR UPDATE SKIP LOCKED) candidate
       WHERE r.id = candidate.id
       RETURNING r.id, r.selection, r.partition_spec, r.tags, r.config, r.attempt, r.max_attempts`,
    [full, options.workerId, options.leaseMs, options.hostname, options.pid],
  );
  const row = claimed.rows[0];
  if (row === undefined) return undefined;
  return {
    id: row.id,
    selection: row.selection,
    partitionSpec: row.partition_spec,
    tags: row.tags,
    config: row.config,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
  };
}
