import { CHANGES_CHANNEL } from "./changes-channel";
import type pg from "pg";
import { LigneeError } from "../errors";
import type { RunEvent } from "./run-event";
import { enqueueRun } from "./runs/enqueue";
import { failRun, startedLocalRuns } from "./runs/fail";
import { finishQuietly, finishQuietlyStatement, finishRun, type RunOutcome } from "./runs/finish";
import { heartbeatRun, type LeaseState } from "./runs/heartbeat";
import { dashedRunIdPrefix } from "./runs/id-prefix";
import { RUN_COLUMNS, toRunRecord, type RunRow } from "./runs/run-row";
import { startRun } from "./runs/start";
import { announceRunEnd } from "./alerts/announce-run-end";
import { ASYNCHRONOUS_COMMIT, inTransaction } from "./transaction";
import {
  TERMINAL_RUN_STATUSES,
  type ListRunsOptions,
  type NewRun,
  type RunRecord,
  type RunStatus,
  type StoredEvent,
} from "./storage";

interface EventRow {
  id: string;
  run_id: string;
  timestamp: Date;
  type: string;
  level: string;
  step_key: string | null;
  asset_key: string | null;
  partition_key: string | null;
  message: string;
  data: Record<string, unknown> | null;
}

/**
 * Runs and their event log, the part of `Storage` about runs. Every write of a run is a
 * transition of `./runs/`: this part never updates `lignee.runs` itself.
 */
export class RunLog {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * QUEUED: enqueue; STARTED: start (one statement). A finished status records a finished run
   * (history imported, benchmarks): start, then finish.
   */
  async createRun(run: NewRun): Promise<RunRecord> {
    if (run.status === "STARTED") return toRunRecord(await startRun(this.pool, run));
    if (run.status === "QUEUED") {
      await enqueueRun(this.pool, { ...run, tags: run.tags ?? {}, pools: [], maxAttempts: 1 });
    } else {
      await startRun(this.pool, run);
      await finishRun(this.pool, run.id, run.status, undefined);
    }
    const created = await this.getRun(run.id);
    if (!created) throw new LigneeError("STORAGE", `run ${run.id} was not recorded`);
    return created;
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const result = await this.pool.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM lignee.runs WHERE id = $1`,
      [runId],
    );
    const row = result.rows[0];
    return row ? toRunRecord(row) : undefined;
  }

  async listRuns(options: ListRunsOptions = {}): Promise<RunRecord[]> {
    const result = await this.pool.query<RunRow>(
      // Containment on the jsonb array, served by the GIN index runs_asset_keys_idx.
      `SELECT ${RUN_COLUMNS} FROM lignee.runs
       WHERE ($1::text IS NULL OR status = $1)
         AND ($2::jsonb IS NULL OR asset_keys @> $2::jsonb)
         AND ($4::text IS NULL OR starts_with(id, $4))
       ORDER BY created_at DESC, id DESC
       LIMIT $3`,
      [
        options.status ?? null,
        options.assetKey !== undefined ? JSON.stringify([options.assetKey]) : null,
        options.limit ?? 50,
        options.idPrefix !== undefined ? dashedRunIdPrefix(options.idPrefix) : null,
      ],
    );
    return result.rows.map(toRunRecord);
  }

  /** heartbeat, of a run this process executes itself: renews its lease while it is STARTED. */
  heartbeatRun(runId: string, leaseMs: number): Promise<LeaseState> {
    return heartbeatRun(this.pool, runId, null, leaseMs);
  }

  /** finish, for a run this process executes itself: only a finished status is a transition. */
  async setRunStatus(runId: string, status: RunStatus, error?: string): Promise<void> {
    if (!isOutcome(status)) {
      throw new LigneeError("STORAGE", `a run is not moved to ${status} by setRunStatus`);
    }
    // Most ends are not news: one statement. Synchronously committed, it makes every earlier
    // write of the run durable too (see TransactionOptions).
    if (status !== "FAILURE") {
      const quiet = await finishQuietly(this.pool, runId, status, error).catch((e: unknown) => {
        throw new LigneeError("STORAGE", `finish run: ${(e as Error).message}`, { cause: e });
      });
      if (quiet) return;
    }
    // The announcement (run_failed, schedule_succeeded) commits with the run's end.
    await inTransaction(this.pool, "finish run", async (tx) => {
      if (await finishRun(tx, runId, status, error)) await announceRunEnd(tx, runId);
    });
  }

  /**
   * appendEvents, clearRunning and finish, all or nothing: one statement when the end is not
   * news, else one transaction with the announcement. Committed synchronously, it makes every
   * earlier write of the run durable too (see `TransactionOptions`).
   */
  async endRun(
    runId: string,
    outcome: RunOutcome,
    error: string | undefined,
    events: readonly RunEvent[],
  ): Promise<void> {
    const values = eventValues(runId, events);
    if (outcome !== "FAILURE") {
      const quiet = await this.pool
        .query({
          name: "lignee_end_run_quietly",
          text: `WITH finished AS (${finishQuietlyStatement(10, 11)} RETURNING id),
                      logged AS (${INSERT_EVENTS} WHERE EXISTS (SELECT 1 FROM finished)),
                      cleared AS (DELETE FROM lignee.asset_running
                                  WHERE run_id = $1 AND EXISTS (SELECT 1 FROM finished))
                 SELECT count(*)::int AS finished FROM finished,
                   LATERAL (SELECT pg_notify('${CHANGES_CHANNEL}', 'run:' || finished.id)) AS notified`,
          values: [...values, outcome, error ?? null],
        })
        .catch((e: unknown) => {
          throw new LigneeError("STORAGE", `end run: ${(e as Error).message}`, { cause: e });
        });
      if (quiet.rows[0]?.finished === 1) return;
    }
    // The announcement (run_failed, schedule_succeeded) commits with the run's end.
    await inTransaction(this.pool, "end run", async (tx) => {
      await tx.query({ name: "lignee_insert_events", text: INSERT_EVENTS, values });
      await tx.query("DELETE FROM lignee.asset_running WHERE run_id = $1", [runId]);
      if (await finishRun(tx, runId, outcome, error)) await announceRunEnd(tx, runId);
    });
  }

  /** In order, asynchronously committed (a run's end is not: see `TransactionOptions`). */
  async appendEvents(runId: string, events: readonly RunEvent[]): Promise<void> {
    await this.pool.query({
      name: "lignee_append_events",
      text: `${INSERT_EVENTS} CROSS JOIN (SELECT ${ASYNCHRONOUS_COMMIT}) AS async`,
      values: eventValues(runId, events),
    });
  }

  async listEvents(
    runId: string,
    options: { afterId?: number; limit?: number } = {},
  ): Promise<StoredEvent[]> {
    const result = await this.pool.query<EventRow>(
      `SELECT id, run_id, timestamp, type, level, step_key, asset_key, partition_key, message, data
       FROM lignee.events
       WHERE run_id = $1 AND ($2::bigint IS NULL OR id > $2)
       ORDER BY id
       LIMIT $3`,
      [runId, options.afterId ?? null, options.limit ?? 10_000],
    );
    return result.rows.map(toEvent);
  }

  /** fail, for each run left STARTED on this host by a process that is gone. */
  async failOrphanedRuns(
    hostname: string,
    isAlive: (run: { id: string; pid: number | null }) => boolean,
  ): Promise<string[]> {
    const candidates = await startedLocalRuns(this.pool, hostname);
    const failed: string[] = [];
    for (const run of candidates.filter((r) => !isAlive(r))) {
      const reason = `the process running it (pid ${run.pid ?? "unknown"} on ${hostname}) exited before the run finished`;
      const ended = await inTransaction(this.pool, "fail run", async (tx) => {
        const done = await failRun(tx, run.id, reason);
        if (done) await announceRunEnd(tx, run.id);
        return done;
      });
      if (ended) failed.push(run.id);
    }
    return failed;
  }
}

/** Inserts events $2…$9 of run $1, in order (a statement to complete, e.g. with a join). */
const INSERT_EVENTS = `INSERT INTO lignee.events
         (run_id, timestamp, type, level, step_key, asset_key, partition_key, message, data)
       SELECT $1, u.* FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
                                  $7::text[], $8::text[], $9::jsonb[]) AS u`;

function eventValues(runId: string, events: readonly RunEvent[]): unknown[] {
  return [
    runId,
    events.map((e) => e.timestamp),
    events.map((e) => e.type),
    events.map((e) => e.level),
    events.map((e) => e.stepKey ?? null),
    events.map((e) => e.assetKey ?? null),
    events.map((e) => e.partitionKey ?? null),
    events.map((e) => e.message),
    events.map((e) => (e.data === undefined ? null : JSON.stringify(e.data))),
  ];
}

function isOutcome(status: RunStatus): status is RunOutcome {
  return TERMINAL_RUN_STATUSES.includes(status);
}

function toEvent(r: EventRow): StoredEvent {
  return {
    id: Number(r.id),
    runId: r.run_id,
    timestamp: r.timestamp,
    type: r.type as StoredEvent["type"],
    level: r.level as StoredEvent["level"],
    message: r.message,
    ...(r.step_key !== null ? { stepKey: r.step_key } : {}),
    ...(r.asset_key !== null ? { assetKey: r.asset_key } : {}),
    ...(r.partition_key !== null ? { partitionKey: r.partition_key } : {}),
    ...(r.data !== null ? { data: r.data } : {}),
  };
}
