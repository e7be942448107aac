import type pg from "pg";
import type { MaintenanceConfig } from "../definitions/maintenance";
import {
  countPrunableEvents,
  pruneRunEventsBatch,
  runsWithPrunableEvents,
} from "../storage/maintenance/prune-events";
import { countPrunableAudit, pruneAuditBatch } from "../storage/maintenance/prune-audit";
import {
  countPrunableSensorTicks,
  pruneSensorTicksBatch,
} from "../storage/maintenance/prune-sensor-ticks";
import {
  countSignInLeftovers,
  pruneSignInLeftovers,
} from "../storage/maintenance/prune-sign-in-leftovers";
import { PRUNED_TABLES, totalRelationSizes, vacuumAnalyze } from "../storage/maintenance/vacuum";
import type { MaintenanceReport } from "./maintenance-report";
import { compressRawFolder, type RawFolderCompression } from "./raw-folders";

const DAY_MS = 86_400_000;
/** Rows per DELETE: each batch is a short statement of its own. */
export const PRUNE_BATCH = 5_000;

export interface RunMaintenanceOptions {
  /** A pool on the engine's database; VACUUM runs on it outside any transaction. */
  readonly pool: pg.Pool;
  readonly config: MaintenanceConfig;
  readonly dryRun: boolean;
  readonly now?: Date;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /** Rows per DELETE (default `PRUNE_BATCH`). */
  readonly batchSize?: number;
}

/**
 * The maintenance job: prunes the events (logs) of runs that ended more than
 * `eventsRetentionDays` ago, the sensor evaluations older than `sensorTicksRetentionDays`
 * (the latest of each sensor stays) and the audit lines older than `auditRetentionDays`, in
 * batches, with failed sign-ins older than a day and sessions past their absolute expiry;
 * `VACUUM (ANALYZE)` of the pruned tables; compresses
 * raw files older than their folder's `compressAfterDays`. Materialisations, check results,
 * the latest-status tables, schedule ticks and the runs themselves are kept. A dry run counts
 * the same rows and files and changes nothing.
 */
export async function runMaintenance(options: RunMaintenanceOptions): Promise<MaintenanceReport> {
  const { pool, config, dryRun } = options;
  const now = options.now ?? new Date();
  const log = options.log ?? (() => undefined);
  const batch = options.batchSize ?? PRUNE_BATCH;
  const startedAt = new Date().toISOString();
  const eventsCutoff = new Date(now.getTime() - config.eventsRetentionDays * DAY_MS);
  const ticksCutoff = new Date(now.getTime() - config.sensorTicksRetentionDays * DAY_MS);
  const auditCutoff = new Date(now.getTime() - config.auditRetentionDays * DAY_MS);

  const sizesBefore = await totalRelationSizes(pool, PRUNED_TABLES);
  const { events, eventsDeleted, ticksDeleted } = await pruneTables(
    options,
    { events: eventsCutoff, ticks: ticksCutoff },
    batch,
    log,
  );
  const audit = await pruneAuditTrail(options, { audit: auditCutoff, now }, batch, log);
  const vacuum = await vacuumPrunedTables(options, sizesBefore, log);
  const rawFiles: RawFolderCompression[] = [];
  for (const rule of config.rawFiles) {
    rawFiles.push(
      await compressRawFolder(rule, {
        now,
        dryRun,
        log,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
  }

  return {
    dryRun,
    startedAt,
    finishedAt: new Date().toISOString(),
    events: {
      retentionDays: config.eventsRetentionDays,
      cutoff: eventsCutoff.toISOString(),
      runs: events.runs,
      rows: eventsDeleted.rows,
      bytes: eventsDeleted.bytes,
    },
    sensorTicks: {
      retentionDays: config.sensorTicksRetentionDays,
      cutoff: ticksCutoff.toISOString(),
      rows: ticksDeleted.rows,
      bytes: ticksDeleted.bytes,
    },
    audit: {
      retentionDays: config.auditRetentionDays,
      cutoff: auditCutoff.toISOString(),
      ...audit,
    },
    vacuum,
    rawFiles,
    bytesFreed: {
      databaseRows: eventsDeleted.bytes + ticksDeleted.bytes + audit.bytes,
      databaseDisk: Math.max(0, sum(vacuum.map((v) => v.bytesBefore - v.bytesAfter))),
      files: sum(rawFiles.map((f) => f.bytesBefore - f.bytesAfter)),
    },
  };
}

/**
 * Counts what the retention removes, then (unless a dry run) deletes it. The size of the rows
 * is measured before they go: a dry run reports the same figures.
 */
async function pruneTables(
  options: RunMaintenanceOptions,
  cutoffs: { readonly events: Date; readonly ticks: Date },
  batch: number,
  log: (line: string) => void,
) {
  const { pool } = options;
  const events = await countPrunableEvents(pool, cutoffs.events);
  const ticks = await countPrunableSensorTicks(pool, cutoffs.ticks);
  if (options.dryRun)
    return {
      events,
      eventsDeleted: { rows: events.rows, bytes: events.bytes },
      ticksDeleted: { rows: ticks.rows, bytes: ticks.bytes },
    };
  const eventRows = await pruneEvents(pool, cutoffs.events, batch, options);
  log(`events: pruned ${eventRows} row(s) of ${events.runs} run(s)`);
  const tickRows = await inBatches(
    () => pruneSensorTicksBatch(pool, cutoffs.ticks, batch),
    options,
  );
  log(`sensor evaluations: pruned ${tickRows} row(s)`);
  return {
    events,
    eventsDeleted: { rows: eventRows, bytes: events.bytes },
    ticksDeleted: { rows: tickRows, bytes: ticks.bytes },
  };
}

/**
 * Counts, then (unless a dry run) deletes, the audit lines older than `cutoffs.audit`, the
 * failed sign-ins older than a day (the rate limit looks at minutes) and the sessions past
 * their absolute expiry.
 */
async function pruneAuditTrail(
  options: RunMaintenanceOptions,
  cutoffs: { readonly audit: Date; readonly now: Date },
  batch: number,
  log: (line: string) => void,
): Promise<{ rows: number; bytes: number; signInFailures: number; expiredSessions: number }> {
  const { pool } = options;
  const failuresCutoff = new Date(cutoffs.now.getTime() - DAY_MS);
  const audit = await countPrunableAudit(pool, cutoffs.audit);
  const leftovers = await countSignInLeftovers(pool, failuresCutoff, cutoffs.now);
  if (options.dryRun) {
    return {
      rows: audit.rows,
      bytes: audit.bytes,
      signInFailures: leftovers.failures,
      expiredSessions: leftovers.sessions,
    };
  }
  const rows = await inBatches(() => pruneAuditBatch(pool, cutoffs.audit, batch), options);
  const deleted = await pruneSignInLeftovers(pool, failuresCutoff, cutoffs.now);
  log(
    `audit trail: pruned ${rows} line(s), ${deleted.failures} failed sign-in(s), ${deleted.sessions} expired session(s)`,
  );
  return {
    rows,
    bytes: audit.bytes,
    signInFailures: deleted.failures,
    expiredSessions: deleted.sessions,
  };
}

/** VACUUM (ANALYZE) of the pruned tables (not in a dry run), with their sizes before and after. */
async function vacuumPrunedTables(
  options: RunMaintenanceOptions,
  sizesBefore: ReadonlyMap<string, number>,
  log: (line: string) => void,
): Promise<{ table: string; bytesBefore: number; bytesAfter: number }[]> {
  const { pool } = options;
  if (!options.dryRun) {
    for (const table of PRUNED_TABLES) {
      options.signal?.throwIfAborted();
      await vacuumAnalyze(pool, table);
    }
    log(`vacuum (analyze): ${PRUNED_TABLES.join(", ")}`);
  }
  const sizesAfter = options.dryRun ? sizesBefore : await totalRelationSizes(pool, PRUNED_TABLES);
  return PRUNED_TABLES.map((table) => ({
    table,
    bytesBefore: sizesBefore.get(table) ?? 0,
    bytesAfter: sizesAfter.get(table) ?? 0,
  }));
}

/** Deletes the events of the runs ended before `cutoff`, run by run, batch by batch. */
async function pruneEvents(
  pool: pg.Pool,
  cutoff: Date,
  batch: number,
  options: { signal?: AbortSignal },
): Promise<number> {
  let rows = 0;
  for (const runId of await runsWithPrunableEvents(pool, cutoff)) {
    let afterId = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const done = await pruneRunEventsBatch(pool, runId, afterId, batch);
      rows += done.rows;
      afterId = done.lastId;
      if (done.rows < batch) break;
    }
  }
  return rows;
}

/** Calls `work` until a batch deletes nothing; the rows in all. Stops between batches when aborted. */
async function inBatches(
  work: () => Promise<{ rows: number }>,
  options: { signal?: AbortSignal },
): Promise<number> {
  let total = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const done = await work();
    total += done.rows;
    if (done.rows === 0) return total;
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
