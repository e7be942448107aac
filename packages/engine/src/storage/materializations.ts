import type pg from "pg";
import { IntervalSet } from "../partitions/interval-set";
import { CHANGES_CHANNEL } from "./changes-channel";
import { subtractRunning } from "./sql/running-marks";
import { addStaleMarks, type StaleMark } from "./sql/stale-marks";
import { upstreamChangedWhileRunning } from "./sql/upstream-changed";
import { inTransaction } from "./transaction";
import { versionHash } from "./version-hash";
import type {
  AssetDigest,
  ListMaterializationsOptions,
  MaterializationInput,
  MaterializationRecord,
} from "./storage";

interface MaterializationRow {
  id: string;
  run_id: string;
  asset_key: string;
  partition_key: string;
  data_version: string;
  code_version: string;
  input_versions: Record<string, string>;
  metadata: Record<string, unknown>;
  created_at: Date;
}

const MATERIALIZATION_COLUMNS = `id, run_id, asset_key, partition_key, data_version, code_version,
  input_versions, metadata, created_at`;

/**
 * Materialisations and digests, the part of `Storage` that records data: the history
 * (`lignee.materializations`), the latest per partition (`asset_partitions`), the per-asset
 * digest, and the roll-ups a materialisation moves (version ranges, stale, failed and running
 * marks), all in one transaction, which notifies `CHANGES_CHANNEL` as it commits.
 */
export class Materializations {
  constructor(private readonly pool: pg.Pool) {}

  /** `beforeWrite` runs first in the transaction (a worker's lease check). */
  async record(
    input: MaterializationInput,
    beforeWrite: (tx: pg.PoolClient) => Promise<void>,
  ): Promise<number[]> {
    if (input.partitions.length === 0) return [];
    const mr = IntervalSet.fromIndices(input.partitions.map((p) => p.index)).toMultirange();
    return inTransaction(this.pool, "storage", async (tx) => {
      await beforeWrite(tx);
      const ids = await insertHistory(tx, input);
      await replaceLatest(tx, input, ids);
      await moveRollups(tx, input, mr);
      await subtractRunning(tx, input.runId, input.assetKey, mr);
      await addStaleMarks(
        tx,
        staleMarksOf(input, mr, await upstreamChangedWhileRunning(tx, input.readSince)),
      );
      // Delivered on commit: eager automation looks now rather than at its next interval.
      await tx.query("SELECT pg_notify($1, $2)", [CHANGES_CHANNEL, input.assetKey]);
      return ids;
    });
  }

  async getDigest(assetKey: string): Promise<AssetDigest | undefined> {
    const result = await this.pool.query<{
      digest: string;
      partition_count: number;
      last_materialization_id: string;
    }>(
      `SELECT digest::text, partition_count, last_materialization_id
       FROM lignee.asset_digests WHERE asset_key = $1`,
      [assetKey],
    );
    const row = result.rows[0];
    return row
      ? {
          digest: row.digest,
          partitionCount: row.partition_count,
          lastMaterializationId: Number(row.last_materialization_id),
        }
      : undefined;
  }

  /** Through each asset's digest, which points at its latest materialisation: one row per asset. */
  async lastMaterializedAt(): Promise<Map<string, Date>> {
    const result = await this.pool.query<{ asset_key: string; created_at: Date }>(
      `SELECT d.asset_key, m.created_at
       FROM lignee.asset_digests d
       JOIN lignee.materializations m ON m.id = d.last_materialization_id`,
    );
    return new Map(result.rows.map((r) => [r.asset_key, r.created_at]));
  }

  async getDataVersions(assetKey: string, partitions: IntervalSet): Promise<Map<number, string>> {
    if (partitions.isEmpty) return new Map();
    const result = await this.pool.query<{ partition_index: number; data_version: string }>(
      `SELECT partition_index, data_version FROM lignee.asset_partitions
       WHERE asset_key = $1 AND partition_index >= $2 AND partition_index <= $3
         AND partition_index <@ $4::int4multirange`,
      [assetKey, partitions.first, partitions.last, partitions.toMultirange()],
    );
    return new Map(result.rows.map((r) => [r.partition_index, r.data_version]));
  }

  async list(
    assetKey: string,
    options: ListMaterializationsOptions = {},
  ): Promise<MaterializationRecord[]> {
    // $3: one partition only (NULL: all), through materializations_asset_idx as well.
    const result = await this.pool.query<MaterializationRow>(
      options.latestPerPartition
        ? // DISTINCT ON walks materializations_asset_idx (asset, partition, id): one row per partition.
          `SELECT * FROM (
             SELECT DISTINCT ON (partition_index) ${MATERIALIZATION_COLUMNS}
             FROM lignee.materializations
             WHERE asset_key = $1 AND ($3::int IS NULL OR partition_index = $3)
             ORDER BY partition_index, id DESC) latest
           ORDER BY id DESC LIMIT $2`
        : `SELECT ${MATERIALIZATION_COLUMNS} FROM lignee.materializations
           WHERE asset_key = $1 AND ($3::int IS NULL OR partition_index = $3)
           ORDER BY id DESC LIMIT $2`,
      [assetKey, options.limit ?? 100, options.partitionIndex ?? null],
    );
    return result.rows.map(toMaterialization);
  }
}

/** The history rows, one per partition; resolves to their ids. */
async function insertHistory(tx: pg.PoolClient, input: MaterializationInput): Promise<number[]> {
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO lignee.materializations
       (run_id, asset_key, partition_key, partition_index, data_version, code_version, input_versions, metadata, created_at)
     SELECT $1, $2, k, i, v, $3, iv, $4::jsonb || pm, now()
     FROM unnest($5::text[], $6::int[], $7::text[], $8::jsonb[], $9::jsonb[]) AS u(k, i, v, iv, pm)
     RETURNING id`,
    [
      input.runId,
      input.assetKey,
      input.codeVersion,
      JSON.stringify(input.metadata),
      input.partitions.map((p) => p.key),
      input.partitions.map((p) => p.index),
      input.partitions.map((p) => p.dataVersion),
      input.partitions.map((p) => JSON.stringify(p.inputVersions)),
      input.partitions.map((p) => JSON.stringify(p.metadata ?? {})),
    ],
  );
  return inserted.rows.map((r) => Number(r.id));
}

/**
 * The latest row per partition, and the digest: XOR out the hashes of the rows being replaced,
 * XOR in the new ones (O(1) per partition, whatever the asset's size).
 */
async function replaceLatest(
  tx: pg.PoolClient,
  input: MaterializationInput,
  ids: readonly number[],
): Promise<void> {
  const indices = input.partitions.map((p) => p.index);
  const hashes = input.partitions.map((p) => versionHash(p.key, p.dataVersion));
  const previous = await tx.query<{ version_hash: string }>(
    `SELECT version_hash FROM lignee.asset_partitions
     WHERE asset_key = $1 AND partition_index = ANY($2::int[]) FOR UPDATE`,
    [input.assetKey, indices],
  );
  let delta = 0n;
  for (const h of hashes) delta ^= h;
  for (const r of previous.rows) delta ^= BigInt(r.version_hash);
  const added = input.partitions.length - previous.rows.length;

  await tx.query(
    `INSERT INTO lignee.asset_partitions
       (asset_key, partition_key, partition_index, materialization_id, run_id, data_version, version_hash,
        code_version, deps_signature, materialized_at)
     SELECT $1, k, i, mid, $2, v, h, $3, $4, now()
     FROM unnest($5::text[], $6::int[], $7::bigint[], $8::text[], $9::bigint[]) AS u(k, i, mid, v, h)
     ON CONFLICT (asset_key, partition_index) DO UPDATE SET
       partition_key = excluded.partition_key, materialization_id = excluded.materialization_id,
       run_id = excluded.run_id, data_version = excluded.data_version, version_hash = excluded.version_hash,
       code_version = excluded.code_version, deps_signature = excluded.deps_signature,
       materialized_at = excluded.materialized_at`,
    [
      input.assetKey,
      input.runId,
      input.codeVersion,
      input.depsSignature,
      input.partitions.map((p) => p.key),
      indices,
      ids,
      input.partitions.map((p) => p.dataVersion),
      hashes.map(String),
    ],
  );

  await tx.query(
    `INSERT INTO lignee.asset_digests (asset_key, digest, partition_count, last_materialization_id)
     VALUES ($1, $2::bigint, $3, $4)
     ON CONFLICT (asset_key) DO UPDATE SET
       digest = asset_digests.digest # excluded.digest,
       partition_count = asset_digests.partition_count + excluded.partition_count,
       last_materialization_id = excluded.last_materialization_id`,
    [input.assetKey, String(delta), added, Math.max(...ids)],
  );
}

/**
 * Roll-ups: the written partitions move to this (code version, deps) group, and lose their
 * stale marks and failed state.
 */
async function moveRollups(
  tx: pg.PoolClient,
  input: MaterializationInput,
  mr: string,
): Promise<void> {
  await tx.query(
    `WITH moved AS (
       UPDATE lignee.asset_version_ranges SET partitions = partitions - $4::int4multirange
       WHERE asset_key = $1 AND NOT (code_version = $2 AND deps_signature = $3)
         AND partitions && $4::int4multirange
     )
     INSERT INTO lignee.asset_version_ranges (asset_key, code_version, deps_signature, partitions)
     VALUES ($1, $2, $3, $4::int4multirange)
     ON CONFLICT (asset_key, code_version, deps_signature)
     DO UPDATE SET partitions = asset_version_ranges.partitions + excluded.partitions`,
    [input.assetKey, input.codeVersion, input.depsSignature, mr],
  );
  await tx.query(
    `DELETE FROM lignee.asset_version_ranges WHERE asset_key = $1 AND isempty(partitions)`,
    [input.assetKey],
  );
  await tx.query(
    `WITH marks AS (
       UPDATE lignee.asset_stale_marks SET partitions = partitions - $2::int4multirange
       WHERE asset_key = $1 AND partitions && $2::int4multirange
     )
     UPDATE lignee.asset_failed SET partitions = partitions - $2::int4multirange
     WHERE asset_key = $1 AND partitions && $2::int4multirange`,
    [input.assetKey, mr],
  );
}

/**
 * The stale marks a materialisation adds: on itself, for each upstream that changed while it
 * ran (`upstreamChangedWhileRunning`), and on the downstream partitions that now read newer data.
 */
function staleMarksOf(
  input: MaterializationInput,
  written: string,
  changedUpstream: readonly string[],
): StaleMark[] {
  return [
    ...changedUpstream.map((upstreamKey) => ({
      assetKey: input.assetKey,
      upstreamKey,
      partitions: written,
    })),
    ...input.invalidates
      .filter((target) => !target.partitions.isEmpty)
      .map((target) => ({
        assetKey: target.assetKey,
        upstreamKey: input.assetKey,
        partitions: target.partitions.toMultirange(),
      })),
  ];
}

function toMaterialization(row: MaterializationRow): MaterializationRecord {
  return {
    id: Number(row.id),
    runId: row.run_id,
    assetKey: row.asset_key,
    partitionKey: row.partition_key,
    dataVersion: row.data_version,
    codeVersion: row.code_version,
    inputVersions: row.input_versions,
    metadata: row.metadata,
    createdAt: row.created_at,
  };
}
