import type pg from "pg";
import { IntervalSet } from "../partitions/interval-set";
import { confirmPartitionsLayout } from "./sql/confirm-partitions-layout";
import { recordMaterialization } from "./sql/record-materialization";
import type { Queryable } from "./runs/queryable";
import { inTransaction } from "./transaction";
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
  private readonly confirmedLayouts = new Map<string, string>();

  constructor(private readonly pool: pg.Pool) {}

  /**
   * One statement whatever the number of partitions and dependencies, committed asynchronously
   * like the other writes of a running run (see `TransactionOptions`); with `fence` (a worker's
   * lease check), in a transaction that runs it first.
   */
  async record(
    input: MaterializationInput,
    fence?: (tx: pg.PoolClient) => Promise<void>,
  ): Promise<number[]> {
    if (input.partitions.length === 0) return [];
    const layout = input.partitionsLayout;
    // Checked again only when the layout differs from the one this process last confirmed
    // for the asset (definitions reloaded): a layout once confirmed stays valid for its writes.
    // Remembered only once the write that confirmed it committed: a rolled-back confirmation
    // recorded nothing, and another process may record another layout meanwhile.
    const confirm =
      layout !== undefined && this.confirmedLayouts.get(input.assetKey) !== layout
        ? (db: Queryable): Promise<void> => confirmPartitionsLayout(db, input.assetKey, layout)
        : undefined;
    const confirmed = <T>(written: T): T => {
      if (confirm && layout !== undefined) this.confirmedLayouts.set(input.assetKey, layout);
      return written;
    };
    if (!fence) {
      await confirm?.(this.pool);
      return confirmed(await recordMaterialization(this.pool, input, "storage"));
    }
    return confirmed(
      await inTransaction(
        this.pool,
        "storage",
        async (tx) => {
          await fence(tx);
          await confirm?.(tx);
          return recordMaterialization(tx, input);
        },
        { asynchronousCommit: true },
      ),
    );
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
