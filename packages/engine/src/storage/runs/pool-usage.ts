import type pg from "pg";

/**
 * Concurrency limits: a global maximum of runs executing at once and named pools. An asset
 * takes a slot of the pool named by its `pool` tag (as Dagster's concurrency keys are tags), so
 * that, say, two collections never share the France Travail quota.
 */
export interface ConcurrencyLimits {
  /** Runs executing at once across all workers. */
  readonly maxConcurrentRuns: number;
  /** Pool name → runs of that pool executing at once. Pools not listed are unlimited. */
  readonly pools: Readonly<Record<string, number>>;
}

/** Arbitrary constant: claims and admissions are serialised so that limits are counted exactly. */
export const ADMISSION_LOCK = 7_342_020;

/** A pool at its limit, and the runs holding its slots. */
export interface PoolUsage {
  readonly pool: string;
  readonly limit: number;
  readonly runIds: readonly string[];
}

/**
 * The pools at their limit. Every live run counts, a worker's or one a process executes itself:
 * a run whose lease expired (its worker or its process gone) is the reaper's, not a holder.
 */
export async function poolUsage(
  tx: pg.PoolClient,
  limits: ConcurrencyLimits,
): Promise<PoolUsage[]> {
  const running = await tx.query<{ pool: string; run_ids: string[] }>(
    `SELECT p.pool, array_agg(r.id ORDER BY r.started_at) AS run_ids
       FROM lignee.runs r, jsonb_array_elements_text(r.pools) AS p(pool)
       WHERE r.status = 'STARTED' AND r.lease_expires_at > now()
       GROUP BY p.pool`,
  );
  const holders = new Map(running.rows.map((row) => [row.pool, row.run_ids]));
  return Object.entries(limits.pools)
    .filter(([pool, limit]) => (holders.get(pool)?.length ?? 0) >= limit)
    .map(([pool, limit]) => ({ pool, limit, runIds: holders.get(pool) ?? [] }));
}
