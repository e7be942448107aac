import { hostname } from "node:os";
import pg from "pg";
import { LigneeError } from "../errors";
import { CHANGES_CHANNEL } from "../storage/changes-channel";
import { PgListener } from "../storage/listener";
import { enqueueRun } from "../storage/runs/enqueue";
import { inTransaction } from "../storage/transaction";
import type {
  AutomationKind,
  AutomationState,
  AutomationStore,
  ChangeWatch,
  NewScheduleTick,
  QueuedRun,
  ScheduleTick,
  ScheduleTickStatus,
  SensorTick,
  SensorTickInput,
  SensorTickStatus,
} from "./automation-store";
import { partitionRequestOf } from "../planning/partition-request";
import type { ActiveRun } from "../definitions/sensor";

/** SKIPPED evaluations kept per sensor (the others are kept for good). */
const SKIPPED_TICKS_KEPT = 200;

interface StateRow {
  kind: string;
  name: string;
  enabled: boolean;
  cursor: string | null;
  updated_at: Date;
}

interface TickRow {
  schedule: string;
  scheduled_at: Date;
  status: string;
  run_id: string | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * The PostgreSQL `AutomationStore`: hand-written SQL over `lignee.automation_state`,
 * `lignee.schedule_ticks`, `lignee.sensor_ticks` and `lignee.runs`. Queued runs are inserted
 * with `ON CONFLICT (id) DO NOTHING`, so that a run with a name-based id is created once
 * whoever asks, and workers are woken through the queue's notification channel.
 */
export class PostgresAutomationStore implements AutomationStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
  ) {}

  /**
   * Connects a small pool. `allowExitOnIdle` lets a process that only reads automation now and
   * then (the API) exit without closing it first.
   */
  static connect(
    connectionString: string,
    options: { max?: number; allowExitOnIdle?: boolean } = {},
  ): PostgresAutomationStore {
    const pool = new pg.Pool({
      connectionString,
      max: options.max ?? 4,
      allowExitOnIdle: options.allowExitOnIdle ?? false,
    });
    // An idle client losing its server must fail the next query, not crash the process.
    pool.on("error", () => undefined);
    return new PostgresAutomationStore(pool, connectionString);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /**
   * LISTENs to `CHANGES_CHANNEL` on a connection of its own (not the pool's), reconnecting with
   * a backoff when it is lost.
   */
  watchChanges(onChange: () => void, log: (message: string) => void): ChangeWatch {
    const listener = new PgListener({
      connection: this.connectionString,
      channels: [CHANGES_CHANNEL],
      applicationName: "lignee scheduler",
      onNotification: () => onChange(),
      onResumed: onChange,
      log: (m) => log(`scheduler: ${m}`),
    });
    void listener.start();
    return {
      get active() {
        return listener.listening;
      },
      stop: () => listener.stop(),
    };
  }

  // ---------------------------------------------------------------- state

  async ensureState(
    kind: AutomationKind,
    name: string,
    cursor: string | null,
  ): Promise<AutomationState> {
    // Two statements: a row another process inserts concurrently is only visible to the next one.
    await this.query(
      `INSERT INTO lignee.automation_state (kind, name, enabled, cursor) VALUES ($1, $2, true, $3)
       ON CONFLICT (kind, name) DO NOTHING`,
      [kind, name, cursor],
    );
    const result = await this.query<StateRow>(
      `SELECT kind, name, enabled, cursor, updated_at FROM lignee.automation_state
       WHERE kind = $1 AND name = $2`,
      [kind, name],
    );
    return toState(result.rows[0]!);
  }

  async listStates(): Promise<AutomationState[]> {
    const result = await this.query<StateRow>(
      `SELECT kind, name, enabled, cursor, updated_at FROM lignee.automation_state ORDER BY kind, name`,
    );
    return result.rows.map(toState);
  }

  async setEnabled(
    kind: AutomationKind,
    name: string,
    enabled: boolean,
    now: Date,
  ): Promise<AutomationState> {
    // A schedule switched on starts from now; a sensor keeps its cursor.
    const start = kind === "schedule" ? now.toISOString() : null;
    const result = await this.query<StateRow>(
      `INSERT INTO lignee.automation_state (kind, name, enabled, cursor, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (kind, name) DO UPDATE SET
         enabled = excluded.enabled,
         cursor = CASE WHEN $1 = 'schedule' AND excluded.enabled AND NOT automation_state.enabled
                       THEN excluded.cursor ELSE automation_state.cursor END,
         updated_at = now()
       RETURNING kind, name, enabled, cursor, updated_at`,
      [kind, name, enabled, start],
    );
    return toState(result.rows[0]!);
  }

  // ---------------------------------------------------------------- schedule ticks

  async latestScheduleTick(schedule: string): Promise<ScheduleTick | undefined> {
    const result = await this.query<TickRow>(
      `SELECT * FROM lignee.schedule_ticks WHERE schedule = $1 ORDER BY scheduled_at DESC LIMIT 1`,
      [schedule],
    );
    const row = result.rows[0];
    return row ? toTick(row) : undefined;
  }

  async startedScheduleTicks(schedule: string): Promise<ScheduleTick[]> {
    const result = await this.query<TickRow>(
      `SELECT * FROM lignee.schedule_ticks WHERE schedule = $1 AND status = 'STARTED'
       ORDER BY scheduled_at`,
      [schedule],
    );
    return result.rows.map(toTick);
  }

  async insertScheduleTicks(ticks: readonly NewScheduleTick[]): Promise<ScheduleTick[]> {
    if (ticks.length === 0) return [];
    const result = await this.query<TickRow>(
      `INSERT INTO lignee.schedule_ticks (schedule, scheduled_at, status, run_id, error)
       SELECT s, t, st, r, e
       FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[]) AS u(s, t, st, r, e)
       ON CONFLICT (schedule, scheduled_at) DO NOTHING
       RETURNING *`,
      [
        ticks.map((t) => t.schedule),
        ticks.map((t) => t.scheduledAt.toISOString()),
        ticks.map((t) => t.status),
        ticks.map((t) => t.runId),
        ticks.map((t) => t.error ?? null),
      ],
    );
    return result.rows.map(toTick).sort((a, b) => +a.scheduledAt - +b.scheduledAt);
  }

  async finishScheduleTick(
    schedule: string,
    scheduledAt: Date,
    status: Exclude<ScheduleTickStatus, "STARTED">,
    error?: string,
  ): Promise<void> {
    await this.query(
      `UPDATE lignee.schedule_ticks SET status = $3, error = $4, updated_at = now()
       WHERE schedule = $1 AND scheduled_at = $2 AND status = 'STARTED'`,
      [schedule, scheduledAt.toISOString(), status, error ?? null],
    );
  }

  async listScheduleTicks(
    schedule: string,
    options: { limit?: number; before?: Date } = {},
  ): Promise<ScheduleTick[]> {
    const result = await this.query<TickRow>(
      `SELECT * FROM lignee.schedule_ticks
       WHERE schedule = $1 AND ($2::timestamptz IS NULL OR scheduled_at < $2)
       ORDER BY scheduled_at DESC LIMIT $3`,
      [schedule, options.before?.toISOString() ?? null, options.limit ?? 50],
    );
    return result.rows.map(toTick);
  }

  // ---------------------------------------------------------------- runs

  async queueRun(run: QueuedRun): Promise<boolean> {
    return this.insertRun(this.pool, run);
  }

  async activeRuns(): Promise<ActiveRun[]> {
    const result = await this.query<{
      id: string;
      status: "QUEUED" | "STARTED";
      asset_keys: string[];
      partition_spec: unknown;
      tags: Record<string, string>;
    }>(
      `SELECT id, status, asset_keys, partition_spec, tags FROM lignee.runs
       WHERE status IN ('QUEUED', 'STARTED') ORDER BY created_at, id`,
    );
    return result.rows.map((r) => {
      let partitions;
      try {
        partitions = partitionRequestOf(r.partition_spec ?? { kind: "none" }, `run ${r.id}`);
      } catch {
        partitions = undefined;
      }
      return { id: r.id, status: r.status, assetKeys: r.asset_keys, partitions, tags: r.tags };
    });
  }

  async exclusively<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
    const client = await this.pool.connect();
    try {
      const locked = await client.query<{ ok: boolean }>(
        `SELECT pg_try_advisory_lock(hashtext($1)) AS ok`,
        [`lignee automation ${name}`],
      );
      if (!locked.rows[0]?.ok) return undefined;
      try {
        return await work();
      } finally {
        await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [
          `lignee automation ${name}`,
        ]);
      }
    } finally {
      client.release();
    }
  }

  async runStatus(runId: string): Promise<string | undefined> {
    const result = await this.query<{ status: string }>(
      `SELECT status FROM lignee.runs WHERE id = $1`,
      [runId],
    );
    return result.rows[0]?.status;
  }

  async latestMaterializationId(): Promise<number> {
    const result = await this.query<{ id: string | null }>(
      `SELECT max(id) AS id FROM lignee.materializations`,
    );
    return Number(result.rows[0]?.id ?? 0);
  }

  // ---------------------------------------------------------------- sensor ticks

  async recordSensorTick(input: SensorTickInput): Promise<boolean> {
    return this.transaction(async (tx) => {
      const update = input.cursorUpdate;
      if (update) {
        const moved = await tx.query(
          `UPDATE lignee.automation_state SET cursor = $4, updated_at = now()
           WHERE kind = $1 AND name = $2 AND cursor IS NOT DISTINCT FROM $3`,
          [update.kind, update.name, update.expected, update.next],
        );
        if (moved.rowCount === 0) return false;
      }
      for (const run of input.runs) await this.insertRun(tx, run);
      await tx.query(
        `INSERT INTO lignee.sensor_ticks (sensor, status, cursor, run_ids, message)
         VALUES ($1, $2, $3, $4::jsonb, $5)`,
        [
          input.sensor,
          input.status,
          input.cursor,
          JSON.stringify(input.runs.map((r) => r.id)),
          input.message,
        ],
      );
      if (input.status === "SKIPPED") {
        await tx.query(
          `DELETE FROM lignee.sensor_ticks
           WHERE sensor = $1 AND status = 'SKIPPED' AND id < (
             SELECT id FROM lignee.sensor_ticks WHERE sensor = $1 AND status = 'SKIPPED'
             ORDER BY id DESC OFFSET $2 LIMIT 1)`,
          [input.sensor, SKIPPED_TICKS_KEPT - 1],
        );
      }
      return true;
    });
  }

  async listSensorTicks(sensor: string, options: { limit?: number } = {}): Promise<SensorTick[]> {
    const result = await this.query<{
      id: string;
      sensor: string;
      status: string;
      cursor: string | null;
      run_ids: string[];
      message: string | null;
      created_at: Date;
    }>(`SELECT * FROM lignee.sensor_ticks WHERE sensor = $1 ORDER BY id DESC LIMIT $2`, [
      sensor,
      options.limit ?? 50,
    ]);
    return result.rows.map((r) => ({
      id: Number(r.id),
      sensor: r.sensor,
      status: r.status as SensorTickStatus,
      cursor: r.cursor,
      runIds: r.run_ids,
      message: r.message,
      createdAt: r.created_at,
    }));
  }

  // ---------------------------------------------------------------- helpers

  /** enqueue, unless a run with its id exists (a tick's run is created once whoever asks). */
  private async insertRun(client: pg.Pool | pg.PoolClient, run: QueuedRun): Promise<boolean> {
    return enqueueRun(
      client,
      {
        id: run.id,
        selection: run.selection,
        assetKeys: run.assetKeys,
        partitionSpec: run.partitions,
        tags: run.tags,
        config: run.config ?? {},
        pools: run.pools,
        maxAttempts: run.maxAttempts ?? 1,
        hostname: hostname(),
        pid: process.pid,
        launchedBy: run.launchedBy,
      },
      { ifAbsent: true },
    );
  }

  private async query<T extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<T>> {
    try {
      return await this.pool.query<T>(text, values);
    } catch (error) {
      throw new LigneeError("STORAGE", `automation storage: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private transaction<T>(work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, "automation storage", work);
  }
}

function toState(row: StateRow): AutomationState {
  return {
    kind: row.kind as AutomationKind,
    name: row.name,
    enabled: row.enabled,
    cursor: row.cursor,
    updatedAt: row.updated_at,
  };
}

function toTick(row: TickRow): ScheduleTick {
  return {
    schedule: row.schedule,
    scheduledAt: row.scheduled_at,
    status: row.status as ScheduleTickStatus,
    runId: row.run_id,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
