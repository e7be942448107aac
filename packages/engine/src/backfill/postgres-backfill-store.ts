import pg from "pg";
import { connectPool, inTransaction } from "../storage/transaction";
import { LigneeError } from "../errors";
import { cancelQueuedRuns } from "../storage/runs/cancel-queued";
import { enqueueChunkRuns } from "../storage/runs/enqueue-chunks";
import { requestCancelRuns } from "../storage/runs/request-cancel";
import type { RunStatus } from "../storage/storage";
import {
  BACKFILL_TAG,
  CHUNK_TAG,
  PARTITION_COUNT_TAG,
  type BackfillRecord,
  type BackfillRun,
  type BackfillStore,
  type CancelOutcome,
  type ChunkRun,
  type ChunkRunTemplate,
  type ListBackfillsOptions,
  type NewBackfill,
} from "./backfill-store";
import {
  settledStatus,
  summarizeProgress,
  type BackfillStatus,
  type ProgressRow,
} from "./progress";

/** Runs queued per statement when a backfill's runs are created. */
export const DEFAULT_BATCH_SIZE = 1000;

interface BackfillRow {
  id: string;
  status: BackfillStatus;
  selection: string;
  from_key: string;
  to_key: string;
  chunk_size: number;
  total_chunks: number;
  tags: Record<string, string>;
  config: Record<string, unknown>;
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * The PostgreSQL implementation. Runs are inserted many per statement (`unnest` of arrays), so
 * queuing thousands of runs takes a few statements.
 */
export class PostgresBackfillStore implements BackfillStore {
  private constructor(private readonly pool: pg.Pool) {}

  /** Connects a pool; the database must be migrated (`migrateDatabase`). */
  static connect(connectionString: string, options: { max?: number } = {}): PostgresBackfillStore {
    return new PostgresBackfillStore(connectPool(connectionString, options.max ?? 4));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async createBackfill(backfill: NewBackfill): Promise<void> {
    await this.pool.query(
      `INSERT INTO lignee.backfills
         (id, status, selection, from_key, to_key, chunk_size, total_chunks, tags, config)
       VALUES ($1, 'REQUESTED', $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb)`,
      [
        backfill.id,
        backfill.selection,
        backfill.fromKey,
        backfill.toKey,
        backfill.chunkSize,
        backfill.totalChunks,
        JSON.stringify(backfill.tags),
        JSON.stringify(backfill.config ?? {}),
      ],
    );
  }

  async enqueueChunks(
    backfillId: string,
    template: ChunkRunTemplate,
    chunks: readonly ChunkRun[],
    options: { batchSize?: number } = {},
  ): Promise<number> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    let queued = 0;
    for (let start = 0; start < chunks.length; start += batchSize) {
      const batch = chunks.slice(start, start + batchSize);
      const inserted = await this.transaction(async (tx) => {
        // The lock orders this batch with a concurrent cancellation: once the backfill is
        // CANCELED, no run is added that the cancellation would not have seen.
        const current = await tx.query<{ status: string }>(
          `SELECT status FROM lignee.backfills WHERE id = $1 FOR UPDATE`,
          [backfillId],
        );
        if (current.rows[0]?.status !== "REQUESTED") return undefined;
        const added = await enqueueChunkRuns(
          tx,
          {
            backfillId,
            selection: template.selection,
            assetKeys: template.assetKeys,
            tags: { ...template.tags, [BACKFILL_TAG]: backfillId },
            config: template.config ?? {},
            chunkTag: CHUNK_TAG,
            partitionCountTag: PARTITION_COUNT_TAG,
            maxAttempts: template.maxAttempts,
            pools: template.pools,
          },
          batch,
        );
        await tx.query(`UPDATE lignee.backfills SET updated_at = now() WHERE id = $1`, [
          backfillId,
        ]);
        return added;
      });
      if (inserted === undefined) break;
      queued += inserted;
    }
    return queued;
  }

  async finishCreation(
    backfillId: string,
    options: { readonly recount?: boolean } = {},
  ): Promise<BackfillRecord> {
    await this.pool.query(
      `WITH queued AS (SELECT count(*)::int AS n FROM lignee.runs WHERE backfill_id = $1)
       UPDATE lignee.backfills b SET status = 'RUNNING', updated_at = now(),
         total_chunks = CASE WHEN $2 THEN queued.n ELSE b.total_chunks END
       FROM queued
       WHERE b.id = $1 AND b.status = 'REQUESTED' AND ($2 OR queued.n >= b.total_chunks)`,
      [backfillId, options.recount === true],
    );
    const backfill = await this.getBackfill(backfillId);
    if (!backfill) throw new LigneeError("STORAGE", `backfill ${backfillId} does not exist`);
    return backfill;
  }

  async getBackfill(backfillId: string): Promise<BackfillRecord | undefined> {
    const { rows } = await this.pool.query<BackfillRow>(
      `SELECT * FROM lignee.backfills WHERE id = $1`,
      [backfillId],
    );
    return (await this.withProgress(rows))[0];
  }

  async listBackfills(options: ListBackfillsOptions = {}): Promise<BackfillRecord[]> {
    // Settled first, so that a filter on status sees the statuses the answer shows.
    await this.settleRunning();
    const { rows } = await this.pool.query<BackfillRow>(
      `SELECT * FROM lignee.backfills
       WHERE ($1::text IS NULL OR status = $1)
       ORDER BY created_at DESC, id DESC
       LIMIT $2`,
      [options.status ?? null, options.limit ?? 50],
    );
    return this.withProgress(rows);
  }

  async listInterrupted(idleMs: number): Promise<BackfillRecord[]> {
    const { rows } = await this.pool.query<BackfillRow>(
      `SELECT * FROM lignee.backfills
       WHERE status = 'REQUESTED' AND updated_at < now() - $1 * interval '1 millisecond'
       ORDER BY created_at`,
      [idleMs],
    );
    return this.withProgress(rows);
  }

  async listRuns(
    backfillId: string,
    options: { limit?: number; offset?: number } = {},
  ): Promise<BackfillRun[]> {
    const { rows } = await this.pool.query<{
      id: string;
      status: RunStatus;
      partition_spec: { from?: string; to?: string } | null;
      tags: Record<string, string>;
      cancel_requested: boolean;
      attempt: number;
      created_at: Date;
      started_at: Date | null;
      ended_at: Date | null;
      error: string | null;
    }>(
      `SELECT id, status, partition_spec, tags, cancel_requested, attempt, created_at,
              started_at, ended_at, error
       FROM lignee.runs
       WHERE backfill_id = $1
       ORDER BY (tags->>$2)::int, id
       LIMIT $3 OFFSET $4`,
      [backfillId, CHUNK_TAG, options.limit ?? 1000, options.offset ?? 0],
    );
    return rows.map((r) => ({
      id: r.id,
      chunk: Number(r.tags[CHUNK_TAG]),
      from: r.partition_spec?.from ?? "",
      to: r.partition_spec?.to ?? "",
      partitionCount: Number(r.tags[PARTITION_COUNT_TAG] ?? 1),
      status: r.status,
      cancelRequested: r.cancel_requested,
      attempt: r.attempt,
      createdAt: r.created_at,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      error: r.error,
    }));
  }

  async cancel(backfillId: string): Promise<CancelOutcome | undefined> {
    // A backfill whose runs all ended is settled first: it is finished, not cancelable.
    const before = await this.getBackfill(backfillId);
    if (!before) return undefined;
    return this.transaction(async (tx) => {
      const updated = await tx.query<{ status: BackfillStatus }>(
        `UPDATE lignee.backfills SET status = 'CANCELED', updated_at = now()
         WHERE id = $1 AND status IN ('REQUESTED', 'RUNNING')
         RETURNING status`,
        [backfillId],
      );
      if (updated.rows.length === 0) {
        const current = await tx.query<{ status: BackfillStatus }>(
          `SELECT status FROM lignee.backfills WHERE id = $1`,
          [backfillId],
        );
        return { kind: "finished", status: current.rows[0]?.status ?? before.status } as const;
      }
      // Row locks taken by a worker claiming a run make this wait for its claim; the run is
      // then STARTED and the next statement, with a fresh snapshot, asks it to stop.
      const canceledRuns = await cancelQueuedRuns(
        tx,
        { backfillId },
        {
          error: "cancelled with its backfill",
          message: "Run cancelled with its backfill before it started",
        },
      );
      const cancelingRuns = await requestCancelRuns(tx, { backfillId });
      return {
        kind: "canceled",
        canceledRuns,
        cancelingRuns,
      } as const;
    });
  }

  // ---------------------------------------------------------------- helpers

  /** Adds each backfill's progress and records the status it settles to, if it changed. */
  private async withProgress(rows: readonly BackfillRow[]): Promise<BackfillRecord[]> {
    if (rows.length === 0) return [];
    const counts = await this.pool.query<ProgressRow & { backfill_id: string }>(
      `SELECT backfill_id, status, count(*)::int AS runs,
              coalesce(sum(coalesce((tags->>$2)::int, 1)), 0)::int AS partitions,
              (count(*) FILTER (WHERE cancel_requested AND status = 'STARTED'))::int AS canceling
       FROM lignee.runs
       WHERE backfill_id = ANY($1::text[])
       GROUP BY backfill_id, status`,
      [rows.map((r) => r.id), PARTITION_COUNT_TAG],
    );
    const byBackfill = new Map<string, ProgressRow[]>();
    for (const row of counts.rows) {
      byBackfill.set(row.backfill_id, [...(byBackfill.get(row.backfill_id) ?? []), row]);
    }
    const out: BackfillRecord[] = [];
    for (const row of rows) {
      const progress = summarizeProgress(row.total_chunks, byBackfill.get(row.id) ?? []);
      let status = row.status;
      let updatedAt = row.updated_at;
      const settled = settledStatus(status, progress);
      if (settled !== status) {
        // Only from RUNNING: a cancellation in between wins.
        const result = await this.pool.query<{ status: BackfillStatus; updated_at: Date }>(
          `UPDATE lignee.backfills SET status = $2, updated_at = now()
           WHERE id = $1 AND status = 'RUNNING'
           RETURNING status, updated_at`,
          [row.id, settled],
        );
        const changed = result.rows[0];
        if (changed) {
          status = changed.status;
          updatedAt = changed.updated_at;
        } else {
          const current = await this.pool.query<BackfillRow>(
            `SELECT * FROM lignee.backfills WHERE id = $1`,
            [row.id],
          );
          status = current.rows[0]?.status ?? status;
          updatedAt = current.rows[0]?.updated_at ?? updatedAt;
        }
      }
      out.push({ ...toRecord(row), status, updatedAt, progress });
    }
    return out;
  }

  /** Settles every RUNNING backfill whose runs have all ended. */
  private async settleRunning(): Promise<void> {
    const { rows } = await this.pool.query<BackfillRow>(
      `SELECT b.* FROM lignee.backfills b
       WHERE b.status = 'RUNNING'
         AND NOT EXISTS (SELECT 1 FROM lignee.runs r
                         WHERE r.backfill_id = b.id AND r.status IN ('QUEUED', 'STARTED'))`,
    );
    await this.withProgress(rows);
  }

  private transaction<T>(work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, "backfills", work);
  }
}

function toRecord(row: BackfillRow): Omit<BackfillRecord, "progress"> {
  return {
    id: row.id,
    status: row.status,
    selection: row.selection,
    fromKey: row.from_key,
    toKey: row.to_key,
    chunkSize: row.chunk_size,
    totalChunks: row.total_chunks,
    tags: row.tags,
    config: row.config,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
