import { and, asc, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import { LeaseLostError, LigneeError } from "../errors";
import type { RunEvent } from "../execution/events";
import { IntervalSet } from "../partitions/interval-set";
import { claimPartitions, type ClaimOutcome, type PartitionClaim } from "./sql/claim-partitions";
import { connectPool, inTransaction } from "./transaction";
import { versionHash } from "./version-hash";
import * as schema from "./schema";
import {
  TERMINAL_RUN_STATUSES,
  type AssetDigest,
  type AssetStorageSummary,
  type CheckResultInput,
  type CheckResultRecord,
  type ListMaterializationsOptions,
  type ListRunsOptions,
  type MaterializationInput,
  type MaterializationRecord,
  type NewRun,
  type RunFence,
  type RunRecord,
  type RunStatus,
  type Storage,
  type StoredEvent,
} from "./storage";

type Db = NodePgDatabase<typeof schema>;

/**
 * The PostgreSQL implementation of `Storage`. Plain CRUD goes through drizzle; the partition
 * roll-ups use hand-written SQL on `int4multirange` columns so that each materialisation is a
 * handful of O(ranges) updates and reading the status of every asset is four small queries.
 */
export class PostgresStorage implements Storage {
  private readonly db: Db;

  private constructor(
    private readonly pool: pg.Pool,
    /** Set on a worker's view of storage: materialisations commit only while it holds the lease. */
    private readonly fence?: RunFence,
  ) {
    this.db = drizzle({ client: pool, schema });
  }

  /**
   * The same storage, for a worker executing a run it claimed: every materialisation checks, in
   * its own transaction, that the worker still holds the run's lease (and locks the run row
   * against a concurrent expiry until it commits); otherwise it throws LeaseLostError.
   */
  fenced(fence: RunFence): PostgresStorage {
    return new PostgresStorage(this.pool, fence);
  }

  /** Connects a pool; call `migrateDatabase` first on a new database. */
  static connect(connectionString: string, options: { max?: number } = {}): PostgresStorage {
    return new PostgresStorage(connectPool(connectionString, options.max ?? 10));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  // ---------------------------------------------------------------- runs

  async createRun(run: NewRun): Promise<RunRecord> {
    const now = new Date();
    const [row] = await this.db
      .insert(schema.runs)
      .values({
        id: run.id,
        status: run.status,
        selection: run.selection,
        assetKeys: [...run.assetKeys],
        partitionSpec: run.partitionSpec,
        tags: run.tags ?? {},
        createdAt: now,
        startedAt: run.status === "STARTED" ? now : null,
        hostname: run.hostname,
        pid: run.pid,
      })
      .returning();
    return toRun(row!);
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const [row] = await this.db.select().from(schema.runs).where(eq(schema.runs.id, runId));
    return row ? toRun(row) : undefined;
  }

  async listRuns(options: ListRunsOptions = {}): Promise<RunRecord[]> {
    const rows = await this.db
      .select()
      .from(schema.runs)
      .where(
        and(
          options.status ? eq(schema.runs.status, options.status) : undefined,
          // Containment on the jsonb array, served by the GIN index runs_asset_keys_idx.
          options.assetKey !== undefined
            ? sql`${schema.runs.assetKeys} @> ${JSON.stringify([options.assetKey])}::jsonb`
            : undefined,
        ),
      )
      .orderBy(desc(schema.runs.createdAt), desc(schema.runs.id))
      .limit(options.limit ?? 50);
    return rows.map(toRun);
  }

  async setRunStatus(runId: string, status: RunStatus, error?: string): Promise<void> {
    const now = new Date();
    const terminal = TERMINAL_RUN_STATUSES.includes(status);
    await this.db
      .update(schema.runs)
      .set({
        status,
        ...(status === "STARTED" ? { startedAt: now } : {}),
        ...(terminal ? { endedAt: now } : {}),
        ...(error !== undefined ? { error } : {}),
      })
      .where(eq(schema.runs.id, runId));
  }

  // ---------------------------------------------------------------- events

  async appendEvents(runId: string, events: readonly RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    // A worker that lost its lease no longer writes to the run's log (its next attempt does).
    if (!(await this.leaseHeld())) return;
    await this.db.insert(schema.events).values(
      events.map((e) => ({
        runId,
        timestamp: e.timestamp,
        type: e.type,
        level: e.level,
        stepKey: e.stepKey ?? null,
        assetKey: e.assetKey ?? null,
        partitionKey: e.partitionKey ?? null,
        message: e.message,
        data: e.data ?? null,
      })),
    );
  }

  async listEvents(
    runId: string,
    options: { afterId?: number; limit?: number } = {},
  ): Promise<StoredEvent[]> {
    const rows = await this.db
      .select()
      .from(schema.events)
      .where(
        and(
          eq(schema.events.runId, runId),
          options.afterId !== undefined ? gt(schema.events.id, options.afterId) : undefined,
        ),
      )
      .orderBy(asc(schema.events.id))
      .limit(options.limit ?? 10_000);
    return rows.map((r) => ({
      id: r.id,
      runId: r.runId,
      timestamp: r.timestamp,
      type: r.type as StoredEvent["type"],
      level: r.level as StoredEvent["level"],
      message: r.message,
      ...(r.stepKey !== null ? { stepKey: r.stepKey } : {}),
      ...(r.assetKey !== null ? { assetKey: r.assetKey } : {}),
      ...(r.partitionKey !== null ? { partitionKey: r.partitionKey } : {}),
      ...(r.data !== null ? { data: r.data } : {}),
    }));
  }

  // ---------------------------------------------------------------- partition state

  async markRunning(runId: string, assetKey: string, partitions: IntervalSet): Promise<number> {
    if (!(await this.leaseHeld())) throw new LeaseLostError(runId);
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

  async claimPartitions(runId: string, claims: readonly PartitionClaim[]): Promise<ClaimOutcome> {
    if (!(await this.leaseHeld())) throw new LeaseLostError(runId);
    return this.transaction((tx) => claimPartitions(tx, runId, claims));
  }

  async markFailed(runId: string, assetKey: string, partitions: IntervalSet): Promise<void> {
    // The marks of a run whose lease was lost belong to its next attempt now.
    if (!(await this.leaseHeld())) return;
    await this.transaction(async (tx) => {
      const mr = partitions.toMultirange();
      await tx.query(
        `INSERT INTO lignee.asset_failed (asset_key, partitions) VALUES ($1, $2::int4multirange)
         ON CONFLICT (asset_key) DO UPDATE SET partitions = asset_failed.partitions + excluded.partitions`,
        [assetKey, mr],
      );
      await subtractRunning(tx, runId, assetKey, mr);
    });
  }

  async clearRunning(runId: string, assetKey?: string): Promise<void> {
    if (!(await this.leaseHeld())) return;
    await this.db
      .delete(schema.assetRunning)
      .where(
        and(
          eq(schema.assetRunning.runId, runId),
          assetKey !== undefined ? eq(schema.assetRunning.assetKey, assetKey) : undefined,
        ),
      );
  }

  async recordMaterialization(input: MaterializationInput): Promise<number[]> {
    if (input.partitions.length === 0) return [];
    const written = IntervalSet.fromIndices(input.partitions.map((p) => p.index));
    const mr = written.toMultirange();
    const keys = input.partitions.map((p) => p.key);
    const indices = input.partitions.map((p) => p.index);
    const versions = input.partitions.map((p) => p.dataVersion);
    const hashes = input.partitions.map((p) => versionHash(p.key, p.dataVersion));

    return this.transaction(async (tx) => {
      await this.checkFence(tx);
      const now = new Date();
      const inserted = await tx.query<{ id: string }>(
        `INSERT INTO lignee.materializations
           (run_id, asset_key, partition_key, partition_index, data_version, code_version, input_versions, metadata, created_at)
         SELECT $1, $2, k, i, v, $3, iv, $4::jsonb, $5
         FROM unnest($6::text[], $7::int[], $8::text[], $9::jsonb[]) AS u(k, i, v, iv)
         RETURNING id`,
        [
          input.runId,
          input.assetKey,
          input.codeVersion,
          JSON.stringify(input.metadata),
          now,
          keys,
          indices,
          versions,
          input.partitions.map((p) => JSON.stringify(p.inputVersions)),
        ],
      );
      const ids = inserted.rows.map((r) => Number(r.id));
      const maxId = Math.max(...ids);

      // Digest: XOR out the hashes of the rows being replaced, XOR in the new ones.
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
         SELECT $1, k, i, mid, $2, v, h, $3, $4, $5
         FROM unnest($6::text[], $7::int[], $8::bigint[], $9::text[], $10::bigint[]) AS u(k, i, mid, v, h)
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
          now,
          keys,
          indices,
          ids,
          versions,
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
        [input.assetKey, String(delta), added, maxId],
      );

      // Roll-ups: the written partitions move to this (code version, deps) group, lose their
      // stale marks and failed state, and stop running.
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
      await subtractRunning(tx, input.runId, input.assetKey, mr);

      // Upstream data that changed while this step ran: the output is stale from the start.
      for (const up of input.readSince.upstream) {
        const changed =
          up.partitions === "all"
            ? await tx.query(
                `SELECT 1 FROM lignee.asset_digests WHERE asset_key = $1 AND last_materialization_id > $2`,
                [up.assetKey, input.readSince.watermark],
              )
            : await tx.query(
                `SELECT 1 FROM lignee.asset_partitions
                 WHERE asset_key = $1 AND materialization_id > $2 AND partition_index <@ $3::int4multirange
                 LIMIT 1`,
                [up.assetKey, input.readSince.watermark, up.partitions.toMultirange()],
              );
        if (changed.rows.length > 0) await addStaleMarks(tx, input.assetKey, up.assetKey, mr);
      }
      for (const target of input.invalidates) {
        if (!target.partitions.isEmpty) {
          await addStaleMarks(
            tx,
            target.assetKey,
            input.assetKey,
            target.partitions.toMultirange(),
          );
        }
      }
      return ids;
    });
  }

  async getAssetSummaries(): Promise<Map<string, AssetStorageSummary>> {
    const [versions, marks, failed, running] = await Promise.all([
      this.pool.query<{
        asset_key: string;
        code_version: string;
        deps_signature: string;
        partitions: string;
      }>(
        "SELECT asset_key, code_version, deps_signature, partitions::text FROM lignee.asset_version_ranges",
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
    ]);
    type Mutable = {
      versions: { codeVersion: string; depsSignature: string; partitions: IntervalSet }[];
      staleMarks: { upstreamKey: string; partitions: IntervalSet }[];
      failed: IntervalSet;
      running: IntervalSet;
    };
    const out = new Map<string, Mutable>();
    const get = (key: string): Mutable => {
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
    for (const r of running.rows)
      get(r.asset_key).running = IntervalSet.fromMultirange(r.partitions);
    return out as Map<string, AssetStorageSummary>;
  }

  async getDigest(assetKey: string): Promise<AssetDigest | undefined> {
    const [row] = await this.db
      .select()
      .from(schema.assetDigests)
      .where(eq(schema.assetDigests.assetKey, assetKey));
    return row
      ? {
          digest: String(row.digest),
          partitionCount: row.partitionCount,
          lastMaterializationId: row.lastMaterializationId,
        }
      : undefined;
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

  async listMaterializations(
    assetKey: string,
    options: ListMaterializationsOptions = {},
  ): Promise<MaterializationRecord[]> {
    const m = schema.materializations;
    const limit = options.limit ?? 100;
    if (options.latestPerPartition) {
      // DISTINCT ON walks materializations_asset_idx (asset, partition, id): one row per partition.
      const latest = this.db
        .selectDistinctOn([m.partitionIndex])
        .from(m)
        .where(eq(m.assetKey, assetKey))
        .orderBy(m.partitionIndex, desc(m.id))
        .as("latest");
      const rows = await this.db.select().from(latest).orderBy(desc(latest.id)).limit(limit);
      return rows.map(toMaterialization);
    }
    const rows = await this.db
      .select()
      .from(m)
      .where(eq(m.assetKey, assetKey))
      .orderBy(desc(m.id))
      .limit(limit);
    return rows.map(toMaterialization);
  }

  // ---------------------------------------------------------------- checks

  async recordCheckResult(input: CheckResultInput): Promise<void> {
    if (!(await this.leaseHeld())) throw new LeaseLostError(input.runId);
    await this.db.insert(schema.checkResults).values({
      runId: input.runId,
      assetKey: input.assetKey,
      partitionKey: input.partitionKey ?? "",
      checkName: input.checkName,
      passed: input.passed,
      severity: input.severity,
      description: input.description ?? null,
      metadata: input.metadata ?? {},
    });
  }

  async latestCheckResults(assetKey?: string): Promise<CheckResultRecord[]> {
    const result = await this.pool.query<{
      run_id: string;
      asset_key: string;
      partition_key: string;
      check_name: string;
      passed: boolean;
      severity: string;
      description: string | null;
      metadata: Record<string, unknown>;
      created_at: Date;
    }>(
      `SELECT DISTINCT ON (asset_key, check_name, partition_key) run_id, asset_key, partition_key, check_name, passed,
              severity, description, metadata, created_at
       FROM lignee.check_results WHERE ($1::text IS NULL OR asset_key = $1)
       ORDER BY asset_key, check_name, partition_key, id DESC`,
      [assetKey ?? null],
    );
    return result.rows.map((r) => ({
      runId: r.run_id,
      assetKey: r.asset_key,
      partitionKey: r.partition_key,
      checkName: r.check_name,
      passed: r.passed,
      severity: r.severity === "warn" ? "warn" : "error",
      description: r.description,
      metadata: r.metadata,
      createdAt: r.created_at,
    }));
  }

  // ---------------------------------------------------------------- recovery

  async failOrphanedRuns(
    hostname: string,
    isAlive: (run: { id: string; pid: number | null }) => boolean,
  ): Promise<string[]> {
    const candidates = await this.db
      .select({ id: schema.runs.id, pid: schema.runs.pid })
      .from(schema.runs)
      .where(
        and(
          eq(schema.runs.status, "STARTED"),
          eq(schema.runs.hostname, hostname),
          // Runs a worker claimed are the queue's: their lease expires and they are retried.
          isNull(schema.runs.workerId),
        ),
      );
    const failed: string[] = [];
    for (const run of candidates.filter((r) => !isAlive(r))) {
      const reason = `the process running it (pid ${run.pid ?? "unknown"} on ${hostname}) exited before the run finished`;
      const done = await this.transaction(async (tx) => {
        const updated = await tx.query(
          `UPDATE lignee.runs SET status = 'FAILURE', ended_at = now(), error = $2
           WHERE id = $1 AND status = 'STARTED' RETURNING id`,
          [run.id, reason],
        );
        if (updated.rows.length === 0) return false;
        await tx.query(
          `INSERT INTO lignee.asset_failed (asset_key, partitions)
           SELECT asset_key, partitions FROM lignee.asset_running WHERE run_id = $1
           ON CONFLICT (asset_key) DO UPDATE SET partitions = asset_failed.partitions + excluded.partitions`,
          [run.id],
        );
        await tx.query(`DELETE FROM lignee.asset_running WHERE run_id = $1`, [run.id]);
        await tx.query(
          `INSERT INTO lignee.events (run_id, type, level, message) VALUES ($1, 'RUN_FAILURE', 'error', $2)`,
          [run.id, `Run failed: ${reason}`],
        );
        return true;
      });
      if (done) failed.push(run.id);
    }
    return failed;
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Whether this view may still write for its run (always, without a fence). Materialisations
   * check the lease inside their transaction, locking the run row (`checkFence`); the other
   * writes of a run (events, running and failed marks, check results) check it just before
   * writing, which leaves a window of milliseconds against a lease of seconds.
   */
  private async leaseHeld(): Promise<boolean> {
    if (!this.fence) return true;
    const held = await this.pool.query(
      `SELECT 1 FROM lignee.runs
       WHERE id = $1 AND worker_id = $2 AND status = 'STARTED' AND lease_expires_at > now()`,
      [this.fence.runId, this.fence.workerId],
    );
    return held.rows.length > 0;
  }

  private async checkFence(tx: pg.PoolClient): Promise<void> {
    if (!this.fence) return;
    const held = await tx.query(
      `SELECT 1 FROM lignee.runs
       WHERE id = $1 AND worker_id = $2 AND status = 'STARTED' AND lease_expires_at > now()
       FOR SHARE`,
      [this.fence.runId, this.fence.workerId],
    );
    if (held.rows.length === 0) throw new LeaseLostError(this.fence.runId);
  }

  private transaction<T>(work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, "storage", work);
  }
}

async function subtractRunning(
  tx: pg.PoolClient,
  runId: string,
  assetKey: string,
  mr: string,
): Promise<void> {
  await tx.query(
    `UPDATE lignee.asset_running SET partitions = partitions - $3::int4multirange WHERE asset_key = $1 AND run_id = $2`,
    [assetKey, runId, mr],
  );
  await tx.query(
    `DELETE FROM lignee.asset_running WHERE asset_key = $1 AND run_id = $2 AND isempty(partitions)`,
    [assetKey, runId],
  );
}

async function addStaleMarks(
  tx: pg.PoolClient,
  assetKey: string,
  upstreamKey: string,
  mr: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO lignee.asset_stale_marks (asset_key, upstream_key, partitions) VALUES ($1, $2, $3::int4multirange)
     ON CONFLICT (asset_key, upstream_key) DO UPDATE SET partitions = asset_stale_marks.partitions + excluded.partitions`,
    [assetKey, upstreamKey, mr],
  );
}

function toMaterialization(
  row: typeof schema.materializations.$inferSelect,
): MaterializationRecord {
  return {
    id: row.id,
    runId: row.runId,
    assetKey: row.assetKey,
    partitionKey: row.partitionKey,
    dataVersion: row.dataVersion,
    codeVersion: row.codeVersion,
    inputVersions: row.inputVersions,
    metadata: row.metadata,
    createdAt: row.createdAt,
  };
}

function toRun(row: typeof schema.runs.$inferSelect): RunRecord {
  return {
    id: row.id,
    status: row.status as RunStatus,
    selection: row.selection,
    assetKeys: row.assetKeys,
    partitionSpec: row.partitionSpec ?? null,
    tags: row.tags,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    hostname: row.hostname,
    pid: row.pid,
    error: row.error,
  };
}
