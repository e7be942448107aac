import type pg from "pg";
import type { LaunchedBy } from "../launched-by";
import { QUEUE_CHANNEL } from "./queue-channel";
import type { Queryable } from "./queryable";

/** Arbitrary constant: with a hash of the request, serialises identical requests (see enqueueUnlessQueued). */
const MERGE_LOCK = 7_342_022;

/** A run to queue (QUEUED). */
export interface EnqueuedRun {
  readonly id: string;
  readonly selection: string;
  readonly assetKeys: readonly string[];
  readonly partitionSpec: unknown;
  readonly tags: Record<string, string>;
  /** Its validated config, per asset key (default `{}`). */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly pools: readonly string[];
  /** Tries in all, counting the first. */
  readonly maxAttempts: number;
  readonly hostname: string;
  readonly pid: number;
  /** What launched the run (recorded unknown when left out). */
  readonly launchedBy?: LaunchedBy;
}

/**
 * enqueue: (none) → QUEUED, and wakes the workers (NOTIFY, delivered on commit). With
 * `ifAbsent`, a run whose id exists already is left as it is (a name-based id is queued once
 * whoever asks); without it, a duplicate id is an error. Resolves to whether a run was queued.
 */
export async function enqueueRun(
  db: Queryable,
  run: EnqueuedRun,
  options: { ifAbsent?: boolean } = {},
): Promise<boolean> {
  const result = await db.query(
    `WITH inserted AS (
       INSERT INTO lignee.runs
         (id, status, selection, asset_keys, partition_spec, tags, pools, max_attempts, hostname, pid,
          launched_by, launched_by_detail, config)
       VALUES ($1, 'QUEUED', $2, $3::jsonb, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8, $9, $11, $12,
               $13::jsonb)
       ${options.ifAbsent ? "ON CONFLICT (id) DO NOTHING" : ""}
       RETURNING id)
     SELECT pg_notify($10, id) FROM inserted`,
    [
      run.id,
      run.selection,
      JSON.stringify(run.assetKeys),
      JSON.stringify(run.partitionSpec),
      JSON.stringify(run.tags),
      JSON.stringify(run.pools),
      run.maxAttempts,
      run.hostname,
      run.pid,
      QUEUE_CHANNEL,
      run.launchedBy?.kind ?? null,
      run.launchedBy?.detail ?? null,
      JSON.stringify(run.config ?? {}),
    ],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * enqueue, unless the same request (selection, partition request, tags and config) is queued already
 * outside any backfill: then that run is the answer. Requests are serialised per content (in
 * the caller's transaction), so that identical requests at once make one run.
 */
export async function enqueueUnlessQueued(
  tx: pg.PoolClient,
  run: EnqueuedRun,
): Promise<{ runId: string; merged: boolean }> {
  const spec = JSON.stringify(run.partitionSpec);
  const tags = JSON.stringify(run.tags);
  const config = JSON.stringify(run.config ?? {});
  await tx.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [
    MERGE_LOCK,
    `${run.selection}\n${spec}\n${tags}\n${config}`,
  ]);
  const queued = await tx.query<{ id: string }>(
    `SELECT id FROM lignee.runs
       WHERE status = 'QUEUED' AND backfill_id IS NULL
         AND selection = $1 AND partition_spec = $2::jsonb AND tags = $3::jsonb
         AND config = $4::jsonb
       ORDER BY created_at, id
       LIMIT 1`,
    [run.selection, spec, tags, config],
  );
  const existing = queued.rows[0]?.id;
  if (existing !== undefined) return { runId: existing, merged: true };
  await enqueueRun(tx, run);
  return { runId: run.id, merged: false };
}
