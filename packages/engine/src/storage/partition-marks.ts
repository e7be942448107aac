import type pg from "pg";
import { IntervalSet } from "../partitions/interval-set";
import {
  claimPartitions,
  type ClaimOutcome,
  type InputRead,
  type PartitionClaim,
} from "./sql/claim-partitions";
import { PartitionsLayoutsCache } from "./partitions-layouts-cache";
import { subtractRunning } from "./sql/running-marks";
import { ASYNCHRONOUS_COMMIT, inTransaction } from "./transaction";
import type { AssetStorageSummary } from "./storage";

interface MutableSummary {
  versions: { codeVersion: string; depsSignature: string; partitions: IntervalSet }[];
  staleMarks: { upstreamKey: string; partitions: IntervalSet }[];
  failed: IntervalSet;
  running: IntervalSet;
  partitionsLayout?: string;
}

/**
 * Partition marks, the part of `Storage` that status is read from: running and failed
 * partitions, and the roll-ups of every asset (version ranges and stale marks, which
 * materialisations maintain) read back as partition subsets.
 */
export class PartitionMarks {
  private readonly layouts = new PartitionsLayoutsCache();

  constructor(private readonly pool: pg.Pool) {}

  async markRunning(runId: string, assetKey: string, partitions: IntervalSet): Promise<number> {
    const result = await this.pool.query<{ watermark: string }>(
      `WITH upsert AS (
         INSERT INTO lignee.asset_running (asset_key, run_id, partitions) VALUES ($1, $2, $3::int4multirange)
         ON CONFLICT (asset_key, run_id) DO UPDATE SET partitions = asset_running.partitions + excluded.partitions
       )
       SELECT coalesce(max(id), 0) AS watermark FROM lignee.materializations`,
      [assetKey, runId, partitions.toMultirange()],
    );
    return Number(result.rows[0]!.watermark);
  }

  async claimPartitions(
    runId: string,
    claims: readonly PartitionClaim[],
    reads?: readonly InputRead[],
  ): Promise<ClaimOutcome> {
    return claimPartitions(this.pool, runId, claims, reads);
  }

  async markFailed(runId: string, assetKey: string, partitions: IntervalSet): Promise<void> {
    await inTransaction(
      this.pool,
      "storage",
      async (tx) => {
        const mr = partitions.toMultirange();
        await tx.query(
          `INSERT INTO lignee.asset_failed (asset_key, partitions) VALUES ($1, $2::int4multirange)
         ON CONFLICT (asset_key) DO UPDATE SET partitions = asset_failed.partitions + excluded.partitions`,
          [assetKey, mr],
        );
        await subtractRunning(tx, runId, assetKey, mr);
      },
      { asynchronousCommit: true },
    );
  }

  /** Committed asynchronously: a run's marks are cleared just before its end. */
  async clearRunning(runId: string, assetKey?: string): Promise<void> {
    await this.pool.query({
      name: "lignee_clear_running",
      text: `DELETE FROM lignee.asset_running
             WHERE run_id = $1 AND ($2::text IS NULL OR asset_key = $2)
               AND (SELECT ${ASYNCHRONOUS_COMMIT}) IS NOT NULL`,
      values: [runId, assetKey ?? null],
    });
  }

  /** Five small queries, whatever the number of partitions (six when a layout changed). */
  async getAssetSummaries(): Promise<Map<string, AssetStorageSummary>> {
    const [versions, marks, failed, running, layouts] = await Promise.all([
      this.pool.query<{
        asset_key: string;
        code_version: string;
        deps_signature: string;
        partitions: string;
      }>(
        "SELECT asset_key, code_version, deps_signature, partitions::text FROM lignee.asset_version_ranges WHERE NOT isempty(partitions)",
      ),
      this.pool.query<{ asset_key: string; upstream_key: string; partitions: string }>(
        "SELECT asset_key, upstream_key, partitions::text FROM lignee.asset_stale_marks WHERE NOT isempty(partitions)",
      ),
      this.pool.query<{ asset_key: string; partitions: string }>(
        "SELECT asset_key, partitions::text FROM lignee.asset_failed WHERE NOT isempty(partitions)",
      ),
      this.pool.query<{ asset_key: string; partitions: string }>(
        "SELECT asset_key, range_agg(r)::text AS partitions FROM lignee.asset_running, unnest(partitions) AS r GROUP BY asset_key",
      ),
      this.layouts.read(this.pool),
    ]);
    const out = new Map<string, MutableSummary>();
    const get = (key: string): MutableSummary => {
      let s = out.get(key);
      if (!s) {
        s = { versions: [], staleMarks: [], failed: IntervalSet.EMPTY, running: IntervalSet.EMPTY };
        out.set(key, s);
      }
      return s;
    };
    for (const r of versions.rows) {
      get(r.asset_key).versions.push({
        codeVersion: r.code_version,
        depsSignature: r.deps_signature,
        partitions: IntervalSet.fromMultirange(r.partitions),
      });
    }
    for (const r of marks.rows) {
      get(r.asset_key).staleMarks.push({
        upstreamKey: r.upstream_key,
        partitions: IntervalSet.fromMultirange(r.partitions),
      });
    }
    for (const r of failed.rows) get(r.asset_key).failed = IntervalSet.fromMultirange(r.partitions);
    for (const r of running.rows) {
      get(r.asset_key).running = IntervalSet.fromMultirange(r.partitions);
    }
    for (const [assetKey, layout] of layouts) get(assetKey).partitionsLayout = layout;
    return out;
  }
}
