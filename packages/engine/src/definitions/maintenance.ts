import { cronProblem } from "./cron";
import { assertRawPrefix, type RawStore } from "./raw-store";
import type { ScheduleDefinition } from "./schedule";
import { DEFAULT_TIMEZONE } from "../partitions/definition";

/** The name of the built-in maintenance schedule (listed with the other schedules). */
export const MAINTENANCE_SCHEDULE = "lignee_maintenance";
/** The selection text recorded on maintenance runs (they materialise no asset). */
export const MAINTENANCE_SELECTION = "maintenance";
/** The tag that makes a run the maintenance job rather than a plan of assets. */
export const MAINTENANCE_JOB_TAG = { "lignee/job": "maintenance" } as const;

export const DEFAULT_MAINTENANCE_CRON = "0 3 * * *";
export const DEFAULT_EVENTS_RETENTION_DAYS = 30;
export const DEFAULT_SENSOR_TICKS_RETENTION_DAYS = 7;
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
export const DEFAULT_COMPRESS_AFTER_DAYS = 7;

/**
 * A raw folder whose old files the maintenance job compresses (gzip): a folder of this machine
 * (`dir`), or a folder of a raw store (`store` and `prefix`: an S3 bucket's, say).
 */
export interface RawFilesRule {
  /** The folder (absolute, or relative to the working directory); "" for a store's. */
  readonly dir: string;
  /** The raw store, made when the job needs it (not when the definitions load). */
  readonly store?: () => RawStore;
  /** The store's folder (`raw/offres/`; default "", its root); unused for a folder of this machine. */
  readonly prefix?: string;
  /** File names to compress: a glob of `*` and `?` (`offres-*.ndjson`). */
  readonly pattern: string;
  /** Files last modified at least this many days ago are compressed. */
  readonly compressAfterDays: number;
  /** How the folder is named on the Operations page and in reports (default: its last two segments). */
  readonly label: string;
}

export interface MaintenanceOptions {
  /**
   * When the job runs: a cron expression and timezone (default `0 3 * * *`, Europe/Paris), or
   * `false` for no schedule (the CLI and the Operations page still run it).
   */
  readonly schedule?: { readonly cron?: string; readonly timezone?: string } | false;
  readonly retention?: {
    /** Run events (logs) of runs that ended more than this many days ago are deleted (default 30). */
    readonly eventsDays?: number;
    /** Sensor and eager evaluations older than this are deleted (default 7; the latest of each stays). */
    readonly sensorTicksDays?: number;
    /** Audit trail lines older than this are deleted (default 365). */
    readonly auditDays?: number;
  };
  readonly rawFiles?: readonly {
    /** A folder of this machine; or `store` and `prefix`. */
    readonly dir?: string;
    readonly store?: () => RawStore;
    /** The store's folder, ending with "/" (`raw/offres/`). */
    readonly prefix?: string;
    readonly pattern: string;
    readonly compressAfterDays?: number;
    readonly label?: string;
  }[];
}

/** The maintenance job's settings, defaults and environment applied. */
export interface MaintenanceConfig {
  /** The built-in schedule, undefined when switched off. */
  readonly schedule: ScheduleDefinition | undefined;
  readonly eventsRetentionDays: number;
  readonly sensorTicksRetentionDays: number;
  readonly auditRetentionDays: number;
  readonly rawFiles: readonly RawFilesRule[];
}

/**
 * The maintenance settings of a set of definitions, with the environment's overrides:
 * `LIGNEE_MAINTENANCE_CRON` (a cron expression, or `off`), `LIGNEE_MAINTENANCE_TIMEZONE`,
 * `LIGNEE_RETENTION_EVENTS_DAYS`, `LIGNEE_RETENTION_SENSOR_TICKS_DAYS`,
 * `LIGNEE_RETENTION_AUDIT_DAYS` and
 * `LIGNEE_RAW_COMPRESS_AFTER_DAYS` (every raw folder). Problems are returned, not thrown, so
 * that `Definitions.create` reports them with the others.
 *
 * @example
 * resolveMaintenance({ rawFiles: [{ dir: "data/raw/offres", pattern: "*.ndjson" }] }, process.env)
 */
export function resolveMaintenance(
  options: MaintenanceOptions | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { config: MaintenanceConfig; problems: string[] } {
  const problems: string[] = [];
  const days = (what: string, value: unknown, fallback: number): number => {
    if (value === undefined || value === "") return fallback;
    const n = typeof value === "string" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) {
      problems.push(`maintenance: ${what} must be a number of days ≥ 0, not ${String(value)}`);
      return fallback;
    }
    return n;
  };
  const retention = options?.retention ?? {};
  const eventsRetentionDays = days(
    "LIGNEE_RETENTION_EVENTS_DAYS",
    env.LIGNEE_RETENTION_EVENTS_DAYS,
    days("retention.eventsDays", retention.eventsDays, DEFAULT_EVENTS_RETENTION_DAYS),
  );
  const sensorTicksRetentionDays = days(
    "LIGNEE_RETENTION_SENSOR_TICKS_DAYS",
    env.LIGNEE_RETENTION_SENSOR_TICKS_DAYS,
    days(
      "retention.sensorTicksDays",
      retention.sensorTicksDays,
      DEFAULT_SENSOR_TICKS_RETENTION_DAYS,
    ),
  );
  const auditRetentionDays = days(
    "LIGNEE_RETENTION_AUDIT_DAYS",
    env.LIGNEE_RETENTION_AUDIT_DAYS,
    days("retention.auditDays", retention.auditDays, DEFAULT_AUDIT_RETENTION_DAYS),
  );
  const compressOverride = env.LIGNEE_RAW_COMPRESS_AFTER_DAYS;
  const rawFiles = (options?.rawFiles ?? []).map((rule, i): RawFilesRule => {
    const inStore = rule.store !== undefined;
    if (inStore && rule.dir !== undefined)
      problems.push(`maintenance: rawFiles[${i}] has both a dir and a store: give one`);
    else if (inStore && typeof rule.store !== "function")
      problems.push(`maintenance: rawFiles[${i}].store must be a function returning the store`);
    else if (inStore && !isStoreFolder(rule.prefix ?? ""))
      problems.push(
        `maintenance: rawFiles[${i}].prefix must be a store folder ending with "/", its segments neither empty, "." nor "..", without a backslash or NUL (got ${JSON.stringify(rule.prefix)})`,
      );
    else if (!inStore && (typeof rule.dir !== "string" || rule.dir.length === 0))
      problems.push(`maintenance: rawFiles[${i}] has no dir (or store)`);
    if (typeof rule.pattern !== "string" || !/^[^/\\]+$/.test(rule.pattern))
      problems.push(`maintenance: rawFiles[${i}]: pattern must be a file-name glob (no "/")`);
    else if (rule.pattern.endsWith(".gz"))
      problems.push(`maintenance: rawFiles[${i}]: pattern names compressed files already`);
    const after = days(
      `rawFiles[${i}].compressAfterDays`,
      rule.compressAfterDays,
      DEFAULT_COMPRESS_AFTER_DAYS,
    );
    return {
      dir: inStore ? "" : (rule.dir ?? ""),
      ...(inStore ? { store: rule.store } : {}),
      prefix: inStore ? (rule.prefix ?? "") : "",
      pattern: rule.pattern,
      compressAfterDays: days("LIGNEE_RAW_COMPRESS_AFTER_DAYS", compressOverride, after),
      label: rule.label ?? defaultLabel(inStore ? (rule.prefix ?? "") : (rule.dir ?? "")),
    };
  });
  return {
    config: {
      schedule: maintenanceSchedule(options?.schedule, env, problems),
      eventsRetentionDays,
      sensorTicksRetentionDays,
      auditRetentionDays,
      rawFiles,
    },
    problems,
  };
}

function maintenanceSchedule(
  option: MaintenanceOptions["schedule"],
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): ScheduleDefinition | undefined {
  const envCron = env.LIGNEE_MAINTENANCE_CRON?.trim();
  if (envCron === "off" || (option === false && !envCron)) return undefined;
  const cron = envCron || (option ? option.cron : undefined) || DEFAULT_MAINTENANCE_CRON;
  const timezone =
    env.LIGNEE_MAINTENANCE_TIMEZONE?.trim() ||
    (option ? option.timezone : undefined) ||
    DEFAULT_TIMEZONE;
  const problem = cronProblem(cron, timezone);
  if (problem) problems.push(`maintenance schedule: ${problem}`);
  return {
    name: MAINTENANCE_SCHEDULE,
    cron,
    timezone,
    selection: MAINTENANCE_SELECTION,
    description:
      "Built-in maintenance: prunes old run logs, sensor evaluations and audit lines, compresses old raw files, VACUUM (ANALYZE).",
    tags: { ...MAINTENANCE_JOB_TAG },
    partition: undefined,
    job: "maintenance",
  };
}

/** Whether a run's tags make it the maintenance job. */
export function isMaintenanceRun(tags: Readonly<Record<string, string>>): boolean {
  return tags["lignee/job"] === MAINTENANCE_JOB_TAG["lignee/job"];
}

function defaultLabel(dir: string): string {
  const parts = dir.split(/[\\/]+/).filter((p) => p.length > 0 && p !== ".");
  return parts.slice(-2).join("/") || dir;
}

/**
 * The whole store (""), or a folder of it: a prefix the store takes (`assertRawPrefix`: no
 * empty, `.` or `..` segment, no backslash or NUL) ending with "/".
 */
function isStoreFolder(prefix: string): boolean {
  if (prefix === "") return true;
  if (!prefix.endsWith("/")) return false;
  try {
    assertRawPrefix(prefix);
    return true;
  } catch {
    return false;
  }
}
