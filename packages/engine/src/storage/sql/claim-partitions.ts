import type pg from "pg";
import { IntervalSet } from "../../partitions/interval-set";
import { LigneeError } from "../../errors";
import { ASYNCHRONOUS_COMMIT } from "../transaction";

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

/** Upstream data a step reads: some partitions of an asset, or all of it (its digest). */
export interface InputRead {
  readonly assetKey: string;
  readonly partitions: IntervalSet | "all";
}

/** What a claim read of the `InputRead`s, in the snapshot its watermark was taken in. */
export interface ClaimedInputs {
  /** Asset → partition index → latest data version (partitions never materialised left out). */
  readonly versions: ReadonlyMap<string, ReadonlyMap<number, string>>;
  /** Asset → its digest (assets never materialised left out). */
  readonly digests: ReadonlyMap<string, { digest: string; partitionCount: number }>;
}

export type ClaimOutcome =
  | { readonly claimed: true; readonly watermark: number; readonly inputs: ClaimedInputs }
  | { readonly claimed: false; readonly holder: PartitionHolder };

/**
 * Claims partitions for a run, all or none, in one statement: the running marks
 * (`lignee.asset_running`) are the claims. A mark counts only while its run lives (STARTED, its
 * lease unexpired, a worker's or its own process's): the marks of a dead run never block anyone.
 * Resolves to the materialisation watermark when claimed, or to the first holder found.
 *
 * Two runs never both see a partition free: a claim increments the counter of each asset it
 * claims (`lignee.asset_claims`), only if it still holds the value its snapshot saw. Of two
 * claims of one asset at once, the second waits for the first's row lock, then finds the
 * counter moved, marks nothing and is tried again, with a snapshot that sees the first claim's
 * marks. Like the other writes of a running run, a claim commits asynchronously (see
 * `TransactionOptions`).
 */
export async function claimPartitions(
  pool: pg.Pool,
  runId: string,
  claims: readonly PartitionClaim[],
  reads: readonly InputRead[] = [],
): Promise<ClaimOutcome> {
  const wanted = claims.map((c) => ({
    asset_key: c.assetKey,
    partitions: c.partitions.toMultirange(),
  }));
  const partitionReads: { asset_key: string; partitions: string; lo: number; hi: number }[] = [];
  const wholeReads: string[] = [];
  for (const r of reads) {
    if (r.partitions === "all") wholeReads.push(r.assetKey);
    else if (!r.partitions.isEmpty)
      partitionReads.push({
        asset_key: r.assetKey,
        partitions: r.partitions.toMultirange(),
        lo: r.partitions.first!,
        hi: r.partitions.last!,
      });
  }
  const statement = CLAIM[partitionReads.length > 0 ? 1 : 0][wholeReads.length > 0 ? 1 : 0];
  const values: unknown[] = [runId, JSON.stringify(wanted)];
  if (partitionReads.length > 0) values.push(JSON.stringify(partitionReads));
  if (wholeReads.length > 0) values.push(wholeReads);
  for (let attempt = 1; ; attempt++) {
    const row = await claimOnce(pool, statement, values, attempt);
    if (row.run_id !== null && row.asset_key !== null && row.overlap !== null) {
      const holder = {
        runId: row.run_id,
        assetKey: row.asset_key,
        partitions: IntervalSet.fromMultirange(row.overlap),
      };
      return { claimed: false, holder };
    }
    if (row.claimed)
      return { claimed: true, watermark: Number(row.watermark), inputs: claimedInputs(row) };
    // Another claim of one of these assets committed since this one's snapshot: again.
  }
}

/** Attempts before giving up on a claim that keeps losing races (or deadlocks). */
const MAX_ATTEMPTS = 20;

function claimedInputs(row: ClaimRow): ClaimedInputs {
  const versions = new Map<string, Map<number, string>>();
  for (const [assetKey, index, dataVersion] of row.versions ?? []) {
    const of = versions.get(assetKey) ?? new Map<number, string>();
    of.set(index, dataVersion);
    versions.set(assetKey, of);
  }
  const digests = new Map(
    (row.digests ?? []).map(([assetKey, digest, partitionCount]) => [
      assetKey,
      { digest, partitionCount },
    ]),
  );
  return { versions, digests };
}

async function claimOnce(
  pool: pg.Pool,
  statement: { readonly name: string; readonly text: string },
  values: unknown[],
  attempt: number,
): Promise<ClaimRow> {
  try {
    const result = await pool.query<ClaimRow>({ ...statement, values });
    const row = result.rows[0]!;
    if (row.run_id === null && !row.claimed && attempt >= MAX_ATTEMPTS)
      throw new Error(`still racing with other claims after ${attempt} attempts`);
    return row;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if ((code === "40P01" || code === "40001") && attempt < MAX_ATTEMPTS)
      return {
        run_id: null,
        asset_key: null,
        overlap: null,
        watermark: "0",
        claimed: false,
        versions: null,
        digests: null,
      };
    throw new LigneeError("STORAGE", `claim partitions: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

interface ClaimRow {
  run_id: string | null;
  asset_key: string | null;
  overlap: string | null;
  watermark: string;
  claimed: boolean;
  versions: [string, number, string][] | null;
  digests: [string, string, number][] | null;
}

/**
 * `counted`: the counters, incremented (or created) in asset order (no deadlock between two
 * claims), each only if it still has the value `wanted` saw; the marks are written only when
 * every counter was (a data-modifying CTE runs to completion whether it is read or not). The
 * inputs are read in the snapshot the watermark is taken in: the partitions read ($3, jsonb)
 * and the assets read whole ($3 or $4, their digests), each part only in the statements whose
 * claims read some: one named statement per combination.
 */
function claimStatement(partitions: boolean, whole: boolean): { name: string; text: string } {
  const wholeParam = partitions ? 4 : 3;
  const versions = partitions
    ? `(SELECT jsonb_agg(jsonb_build_array(p.asset_key, p.partition_index, p.data_version))
               FROM jsonb_to_recordset($3::jsonb) AS r(asset_key text, partitions text, lo int, hi int)
               JOIN lignee.asset_partitions p
                 ON p.asset_key = r.asset_key
                AND p.partition_index >= r.lo AND p.partition_index <= r.hi
                AND p.partition_index <@ r.partitions::int4multirange)`
    : "NULL::jsonb";
  const digests = whole
    ? `(SELECT jsonb_agg(jsonb_build_array(d.asset_key, d.digest::text, d.partition_count))
               FROM lignee.asset_digests d WHERE d.asset_key = ANY($${wholeParam}::text[]))`
    : "NULL::jsonb";
  return {
    name: `lignee_claim_partitions${partitions ? "_p" : ""}${whole ? "_w" : ""}`,
    text: `WITH wanted AS MATERIALIZED (
       SELECT c.asset_key, c.partitions::int4multirange AS partitions,
              coalesce((SELECT k.version FROM lignee.asset_claims k WHERE k.asset_key = c.asset_key),
                       0) AS seen,
              ${ASYNCHRONOUS_COMMIT} AS async
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
     counted AS (
       INSERT INTO lignee.asset_claims (asset_key, version)
         SELECT asset_key, seen + 1 FROM wanted WHERE NOT EXISTS (SELECT 1 FROM holder)
         ORDER BY asset_key
         ON CONFLICT (asset_key) DO UPDATE SET version = excluded.version
           WHERE asset_claims.version = excluded.version - 1
         RETURNING 1),
     claimed AS (
       SELECT (SELECT count(*) FROM counted) = (SELECT count(*) FROM wanted) AS ok),
     inserted AS (
       INSERT INTO lignee.asset_running (asset_key, run_id, partitions)
         SELECT asset_key, $1, partitions FROM wanted WHERE (SELECT ok FROM claimed)
         ON CONFLICT (asset_key, run_id)
           DO UPDATE SET partitions = asset_running.partitions + excluded.partitions)
     SELECT h.run_id, h.asset_key, h.overlap,
            (SELECT coalesce(max(id), 0) FROM lignee.materializations) AS watermark,
            (SELECT ok FROM claimed) AND h.run_id IS NULL AS claimed,
            ${versions} AS versions,
            ${digests} AS digests
       FROM (SELECT 1) AS one LEFT JOIN holder h ON true`,
  };
}

/** The statements, by [reads partitions][reads assets whole]. */
const CLAIM = [
  [claimStatement(false, false), claimStatement(false, true)],
  [claimStatement(true, false), claimStatement(true, true)],
] as const;
