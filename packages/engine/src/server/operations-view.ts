import type pg from "pg";
import type { AutomationStore } from "../automation/automation-store";
import { parseCron } from "../definitions/cron";
import type { Definitions } from "../definitions/definitions";
import { rawFolderUsage } from "../maintenance/raw-folders";
import { assetTablesFromMetadata } from "../storage/maintenance/asset-tables";
import { lastMaintenance } from "../storage/maintenance/last-maintenance";
import { tableSizes, type TableSize } from "../storage/maintenance/table-sizes";
import type { OperationsResponse } from "./wire";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type LastRun = NonNullable<OperationsResponse["maintenance"]["lastRun"]>;

/**
 * `GET /api/operations`: the database's tables by size, each asset's table and its size where
 * it is known (named by its latest materialisation's metadata, else the asset key read as
 * `schema/table` when such a table exists), the raw folders the maintenance job looks after,
 * and the maintenance job: its schedule and its last run with the report it stored.
 */
export async function operationsView(
  definitions: Definitions<unknown>,
  pool: pg.Pool,
  automation: AutomationStore | undefined,
  now: Date,
): Promise<OperationsResponse> {
  const keys = definitions.assets.map((a) => a.key);
  const [sizes, fromMetadata, last, rawFolders, states] = await Promise.all([
    tableSizes(pool),
    assetTablesFromMetadata(pool, keys),
    lastMaintenance(pool),
    Promise.all(
      definitions.maintenance.rawFiles.map(async (rule) => ({
        ...(await rawFolderUsage(rule)),
        compressAfterDays: rule.compressAfterDays,
      })),
    ),
    automation?.listStates(),
  ]);
  const byName = new Map<string, TableSize>(sizes.tables.map((t) => [`${t.schema}.${t.name}`, t]));
  const assets = keys.map((assetKey) => {
    const named = fromMetadata.get(assetKey);
    if (named !== undefined)
      return {
        assetKey,
        table: named,
        bytes: byName.get(named)?.bytes ?? null,
        source: "metadata" as const,
      };
    const guess = assetKey.replace("/", ".");
    const found = assetKey.split("/").length === 2 ? byName.get(guess) : undefined;
    return found
      ? { assetKey, table: guess, bytes: found.bytes, source: "name" as const }
      : { assetKey, table: null, bytes: null, source: null };
  });
  const schedule = definitions.maintenance.schedule;
  const state = states?.find((s) => s.kind === "schedule" && s.name === schedule?.name);
  const enabled = states === undefined ? null : (state?.enabled ?? true);
  const view: Mutable<OperationsResponse> = {
    database: { bytes: sizes.databaseBytes, tables: sizes.tables },
    assets,
    rawFolders,
    maintenance: {
      schedule: schedule
        ? {
            name: schedule.name,
            cron: schedule.cron,
            timezone: schedule.timezone,
            enabled,
            nextTickAt:
              enabled === false
                ? null
                : (parseCron(schedule.cron, schedule.timezone).next(now)?.toISOString() ?? null),
          }
        : null,
      eventsRetentionDays: definitions.maintenance.eventsRetentionDays,
      sensorTicksRetentionDays: definitions.maintenance.sensorTicksRetentionDays,
      auditRetentionDays: definitions.maintenance.auditRetentionDays,
      lastRun: last
        ? {
            runId: last.runId,
            status: last.status as LastRun["status"],
            createdAt: last.createdAt.toISOString(),
            startedAt: last.startedAt?.toISOString() ?? null,
            endedAt: last.endedAt?.toISOString() ?? null,
            error: last.error,
            // Written by this engine's maintenance job (MaintenanceReport).
            report: last.report as LastRun["report"],
          }
        : null,
    },
  };
  return view;
}
