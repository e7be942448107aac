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
export type RunRequest =
  | { readonly selection: string }
  | { readonly selection: string; readonly partition: string }
  | { readonly selection: string; readonly from: string; readonly to: string }
  | { readonly selection: string; readonly stale: true };

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ["SUCCESS", "FAILURE", "CANCELED"];
