import type pg from "pg";
import type { ConcurrencyLimits } from "./pool-usage";
import { DEFAULT_LOCAL_LEASE_MS, type NewRun } from "../storage";
import { ADMISSION_LOCK, poolUsage, type PoolUsage } from "./pool-usage";
import type { Queryable } from "./queryable";
import { RUN_COLUMNS, type RunRow } from "./run-row";
import { ASYNCHRONOUS_COMMIT } from "../transaction";

/** A run this process executes itself, recorded STARTED. */
export type StartedRun = Omit<NewRun, "status"> & { readonly pools?: readonly string[] };

/**
 * start: (none) → STARTED, for a run the calling process executes itself (no worker). It holds
 * a lease, renewed by `heartbeatRun`, so that the run of a process that died without a word
 * (killed, its machine lost) stops holding partitions and pool slots once the lease runs out.
 * Commits asynchronously, as the run's other writes until its end (see `TransactionOptions`).
 */
export async function startRun(db: Queryable, run: StartedRun): Promise<RunRow> {
  const result = await db.query<RunRow>(
    `INSERT INTO lignee.runs
       (id, status, selection, asset_keys, partition_spec, tags, pools, hostname, pid, started_at,
        lease_expires_at, launched_by, launched_by_detail, config)
     SELECT $1, 'STARTED', $2, $3::jsonb, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8, now(),
            now() + $9 * interval '1 millisecond', $10, $11, $12::jsonb
       FROM (SELECT ${ASYNCHRONOUS_COMMIT}) AS async
     RETURNING ${RUN_COLUMNS}`,
    [
      run.id,
      run.selection,
      JSON.stringify(run.assetKeys),
      JSON.stringify(run.partitionSpec),
      JSON.stringify(run.tags ?? {}),
      JSON.stringify(run.pools ?? []),
      run.hostname,
      run.pid,
      run.leaseMs ?? DEFAULT_LOCAL_LEASE_MS,
      run.launchedBy?.kind ?? null,
      run.launchedBy?.detail ?? null,
      JSON.stringify(run.config ?? {}),
    ],
  );
  return result.rows[0]!;
}

/**
 * start, once the pools the run takes a slot of have room (in the caller's transaction): the
 * pools' limits hold across workers and local runs alike. Resolves to the full pools (and
 * nothing is recorded) when one of its pools is full.
 */
export async function startAdmitted(
  tx: pg.PoolClient,
  run: StartedRun & { readonly pools: readonly string[] },
  limits: ConcurrencyLimits,
): Promise<{ started: true } | { started: false; full: readonly PoolUsage[] }> {
  await tx.query("SELECT pg_advisory_xact_lock($1)", [ADMISSION_LOCK]);
  const full = (await poolUsage(tx, limits)).filter((p) => run.pools.includes(p.pool));
  if (full.length > 0) return { started: false, full };
  await startRun(tx, run);
  return { started: true };
}
