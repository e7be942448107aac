/** The shapes of the Lignée HTTP API (see /api/openapi.json), as the UI reads them. */

export type AssetStatus = "FRESH" | "STALE" | "MISSING" | "FAILED" | "RUNNING";
export const ASSET_STATUSES: readonly AssetStatus[] = [
  "FRESH",
  "STALE",
  "MISSING",
  "FAILED",
  "RUNNING",
];

export type KeyRange = readonly [from: string, to: string];

export interface StaleCause {
  readonly kind: string;
  readonly description: string;
  readonly count: number;
  readonly ranges: readonly KeyRange[];
}

export interface AssetNode {
  readonly key: string;
  readonly group: string;
  readonly status: AssetStatus;
  readonly partitioned: boolean;
  readonly total: number;
  readonly counts: Partial<Record<AssetStatus, number>>;
  readonly causes: readonly StaleCause[];
  readonly checks: {
    readonly total: number;
    readonly passed: number;
    readonly failed: readonly { name: string; severity: "error" | "warn" }[];
  };
}

export interface AssetGraph {
  readonly nodes: readonly AssetNode[];
  readonly edges: readonly { from: string; to: string }[];
}

export interface Materialization {
  readonly id: number;
  readonly runId: string;
  readonly partitionKey: string;
  readonly dataVersion: string;
  readonly codeVersion: string;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: string;
}

export interface CheckResult {
  readonly checkName: string;
  readonly partitionKey: string;
  readonly passed: boolean;
  readonly severity: "error" | "warn";
  readonly description: string | null;
  readonly runId: string;
  readonly createdAt: string;
}

export interface AssetDetail {
  readonly key: string;
  readonly group: string;
  readonly description: string | null;
  readonly tags: Record<string, string>;
  readonly codeVersion: string;
  readonly deps: readonly string[];
  readonly dependents: readonly string[];
  readonly partitions: string;
  readonly partitioned: boolean;
  readonly partitionKeys: readonly string[];
  readonly status: AssetStatus;
  readonly total: number;
  readonly counts: Partial<Record<AssetStatus, number>>;
  readonly ranges: Partial<Record<AssetStatus, readonly KeyRange[]>>;
  readonly causes: readonly StaleCause[];
  readonly materializations: readonly Materialization[];
  readonly checks: readonly CheckResult[];
}

export type RunStatus = "QUEUED" | "STARTED" | "SUCCESS" | "FAILURE" | "CANCELED";
export const RUN_STATUSES: readonly RunStatus[] = [
  "QUEUED",
  "STARTED",
  "SUCCESS",
  "FAILURE",
  "CANCELED",
];

export interface Run {
  readonly id: string;
  readonly status: RunStatus;
  readonly selection: string;
  readonly assetKeys: readonly string[];
  readonly partitionSpec: Record<string, unknown> | null;
  readonly tags: Record<string, string>;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly durationMs: number | null;
  readonly error: string | null;
}

export type StepStatus = "RUNNING" | "SUCCESS" | "FAILURE" | "SKIPPED";

export interface RunStep {
  readonly key: string;
  readonly status: StepStatus;
  readonly assetKeys: readonly string[];
  readonly partitionKey: string | null;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly attempts: number;
}

export interface RunDetail {
  readonly run: Run;
  readonly steps: readonly RunStep[];
}

export interface RunEvent {
  readonly id: number;
  readonly runId: string;
  readonly type: string;
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly stepKey?: string;
  readonly assetKey?: string;
  readonly partitionKey?: string;
  readonly data?: Record<string, unknown>;
  readonly timestamp: string;
}

/** What POST /api/runs accepts. */
export type RunRequest = (
  | { readonly selection: string }
  | { readonly selection: string; readonly partition: string }
  | { readonly selection: string; readonly from: string; readonly to: string }
  | { readonly selection: string; readonly stale: true }
) & {
  /** Start it even when it materialises more partitions than may be started without asking. */
  readonly confirm?: true;
};

/** What a refused large request needs confirming: the asset furthest over its limit. */
export interface Confirmation {
  readonly assetKey: string;
  readonly partitions: number;
  readonly limit: number;
}

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ["SUCCESS", "FAILURE", "CANCELED"];

// ---------------------------------------------------------------- automation

export type AutomationKind = "schedule" | "sensor" | "eager";

export type ScheduleTickStatus = "STARTED" | "SUCCESS" | "SKIPPED" | "FAILURE";
export type SensorTickStatus = "SUCCESS" | "SKIPPED" | "FAILURE";

export interface ScheduleTick {
  readonly scheduledAt: string;
  readonly status: ScheduleTickStatus;
  readonly runId: string | null;
  readonly error: string | null;
}

export interface SensorTick {
  readonly id: number;
  readonly status: SensorTickStatus;
  readonly runIds: readonly string[];
  readonly message: string | null;
  readonly cursor: string | null;
  readonly createdAt: string;
}

export interface ScheduleState {
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly selection: string;
  readonly description: string | null;
  readonly enabled: boolean;
  /** The next tick, when enabled. */
  readonly nextTickAt: string | null;
  readonly lastTicks: readonly ScheduleTick[];
}

export interface SensorState {
  readonly name: string;
  readonly selection: string;
  readonly description: string | null;
  readonly intervalMs: number;
  readonly enabled: boolean;
  readonly cursor: string | null;
  readonly lastTicks: readonly SensorTick[];
}

/** GET /api/automation: schedules, sensors and eager assets with their switches and ticks. */
export interface Automation {
  readonly schedules: readonly ScheduleState[];
  readonly sensors: readonly SensorState[];
  readonly eager: {
    readonly assets: readonly { readonly key: string; readonly enabled: boolean }[];
    readonly lastTicks: readonly SensorTick[];
  };
}

// ---------------------------------------------------------------- backfills

export type BackfillStatus = "REQUESTED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELED";

export interface BackfillProgress {
  readonly totalChunks: number;
  /** Chunks whose run exists (all of them once the backfill is RUNNING). */
  readonly createdChunks: number;
  /** Runs by status. */
  readonly runs: Readonly<Record<RunStatus, number>>;
  /** Partitions of the existing runs. */
  readonly totalPartitions: number;
  /** Partitions by the status of the run that covers them. */
  readonly partitions: Readonly<Record<RunStatus, number>>;
  /** Started runs asked to stop that have not stopped yet. */
  readonly canceling: number;
  /** Every chunk has a run and every run has ended. */
  readonly finished: boolean;
}

export interface Backfill {
  readonly id: string;
  readonly status: BackfillStatus;
  readonly selection: string;
  readonly from: string;
  readonly to: string;
  readonly chunkSize: number;
  readonly totalChunks: number;
  readonly tags: Record<string, string>;
  readonly error: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly progress: BackfillProgress;
}

/** One chunk of a backfill and its run. */
export interface BackfillRun {
  readonly id: string;
  /** Position in the backfill, from 0. */
  readonly chunk: number;
  readonly from: string;
  readonly to: string;
  readonly partitionCount: number;
  readonly status: RunStatus;
  readonly cancelRequested: boolean;
  readonly attempt: number;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly error: string | null;
}

export interface BackfillDetail {
  readonly backfill: Backfill;
  readonly runs: readonly BackfillRun[];
}

/** What POST /api/backfills accepts. */
export interface BackfillRequest {
  readonly selection: string;
  readonly from: string;
  readonly to: string;
  /** Partitions per run (default 10). */
  readonly chunkSize?: number;
  readonly confirm?: true;
}

/** Nothing left to wait for: ended, or cancelled with none of its runs still executing. */
export function isBackfillDone(backfill: Backfill): boolean {
  if (backfill.status === "COMPLETED" || backfill.status === "FAILED") return true;
  return backfill.status === "CANCELED" && backfill.progress.runs.STARTED === 0;
}
