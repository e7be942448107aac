import type pg from "pg";
import { IntervalSet } from "../../partitions/interval-set";
import { inTransaction } from "../transaction";

/** Arbitrary constant: claims are serialised so that two runs never both see a partition free. */
const PARTITION_CLAIM_LOCK = 7_342_021;

export interface PartitionClaim {
  readonly assetKey: string;
  readonly partitions: IntervalSet;
}

/** Another live run is materialising some of the partitions asked for. */
export interface PartitionHolder {
  readonly runId: string;
  readonly assetKey: string;
  /** The partitions asked for that it holds. */
  readonly partitions: IntervalSet;
}

export type ClaimOutcome =
  | { readonly claimed: true; readonly watermark: number }
  | { readonly claimed: false; readonly holder: PartitionHolder };

/**
 * Claims partitions for a run, all or none, in one transaction: the running marks
 * (`lignee.asset_running`) are the claims. A mark counts only while its run lives (STARTED, its
 * lease unexpired, a worker's or its own process's): the marks of a dead run never block anyone.
 * Resolves to the materialisation watermark when claimed, or to the first holder found.
 *
 * Claims are serialised by an advisory lock taken with BEGIN (one round trip), so that two runs
 * never both see a partition free: the check starts after the lock is granted, so its snapshot
 * sees every claim committed before. Like the other writes of a running run, the claim commits
 * asynchronously (see `TransactionOptions`).
 */
export async function claimPartitions(
  pool: pg.Pool,
  runId: string,
  claims: readonly PartitionClaim[],
): Promise<ClaimOutcome> {
  const wanted = claims.map((c) => ({
    asset_key: c.assetKey,
    partitions: c.partitions.toMultirange(),
  }));
  const result = await inTransaction(
    pool,
    "storage",
    (tx) =>
      tx.query<ClaimRow>({
        name: "lignee_claim_partitions",
        text: CLAIM,
        values: [runId, JSON.stringify(wanted)],
      }),
    { asynchronousCommit: true, advisoryLock: PARTITION_CLAIM_LOCK },
  );
  const row = result.rows[0]!;
  if (row.run_id !== null && row.asset_key !== null && row.overlap !== null) {
    const holder = {
      runId: row.run_id,
      assetKey: row.asset_key,
      partitions: IntervalSet.fromMultirange(row.overlap),
    };
    return { claimed: false, holder };
  }
  return { claimed: true, watermark: Number(row.watermark) };
}

interface ClaimRow {
  run_id: string | null;
  asset_key: string | null;
  overlap: string | null;
  watermark: string;
}

const CLAIM = `WITH wanted AS (
       SELECT c.asset_key, c.partitions::int4multirange AS partitions
         FROM jsonb_to_recordset($2::jsonb) AS c(asset_key text, partitions text)),
     holder AS (
       SELECT a.run_id, a.asset_key, (a.partitions * w.partitions)::text AS overlap
         FROM wanted w
         JOIN lignee.asset_running a
           ON a.asset_key = w.asset_key AND a.run_id <> $1 AND a.partitions && w.partitions
         JOIN lignee.runs r ON r.id = a.run_id
         WHERE r.status = 'STARTED' AND r.lease_expires_at > now()
         ORDER BY a.asset_key, a.run_id
         LIMIT 1),
     inserted AS (
       INSERT INTO lignee.asset_running (asset_key, run_id, partitions)
         SELECT asset_key, $1, partitions FROM wanted WHERE NOT EXISTS (SELECT 1 FROM holder)
         ON CONFLICT (asset_key, run_id)
           DO UPDATE SET partitions = asset_running.partitions + excluded.partitions
         RETURNING 1)
     SELECT h.run_id, h.asset_key, h.overlap,
            (SELECT coalesce(max(id), 0) FROM lignee.materializations) AS watermark,
            (SELECT count(*) FROM inserted) AS marked
       FROM (SELECT 1) AS one LEFT JOIN holder h ON true`;
