import type { MaterializationRecord } from "../definitions/materialization-record";
import type { AssetStorageSummary } from "../status/asset-storage-summary";
import type { LaunchedBy } from "./launched-by";
import type { RunEvent } from "./run-event";
import type { IntervalSet } from "../partitions/interval-set";
import type { LeaseState } from "./runs/heartbeat";
import type { ClaimOutcome, InputRead, PartitionClaim } from "./sql/claim-partitions";
import type { StepDuration } from "./sql/step-durations";
import type { CheckHistoryOptions } from "./checks/check-history";
import type { CheckSwitch } from "./checks/check-switches";
import type { FailedCheck } from "./checks/failed-checks";
import type { DynamicPartitionsChange, DynamicPartitionsSnapshot } from "../partitions/dynamic";
import type { AddedDynamicPartitions } from "./dynamic-partitions/dynamic-partition-keys";

export type { AddedDynamicPartitions, CheckHistoryOptions, CheckSwitch, FailedCheck };

export type { StepDuration };

export type {
  ClaimedInputs,
  ClaimOutcome,
  InputRead,
  PartitionClaim,
  PartitionHolder,
} from "./sql/claim-partitions";

export type RunStatus = "QUEUED" | "STARTED" | "SUCCESS" | "FAILURE" | "CANCELED";

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ["SUCCESS", "FAILURE", "CANCELED"];

export interface RunRecord {
  readonly id: string;
  readonly status: RunStatus;
  readonly selection: string;
  readonly assetKeys: readonly string[];
  readonly partitionSpec: Record<string, unknown> | null;
  readonly tags: Record<string, string>;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
  readonly hostname: string | null;
  readonly pid: number | null;
  readonly error: string | null;
  /** What launched the run; null for runs recorded before it was (and no tag told). */
  readonly launchedBy: LaunchedBy | null;
  /** Its validated config, per asset key (`{}` when none of its assets takes config). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** A worker's claim on a run: its results commit only while the lease holds. */
export interface RunFence {
  readonly runId: string;
  readonly workerId: string;
}

export interface NewRun {
  readonly id: string;
  readonly status: RunStatus;
  readonly selection: string;
  readonly assetKeys: readonly string[];
  readonly partitionSpec: Record<string, unknown> | null;
  readonly tags?: Record<string, string>;
  /** Its validated config, per asset key (default `{}`). */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly hostname: string;
  readonly pid: number;
  /** What launched the run (recorded unknown when left out: imported history, benchmarks). */
  readonly launchedBy?: LaunchedBy;
  /**
   * A STARTED run this process executes itself holds a lease this long (default
   * `DEFAULT_LOCAL_LEASE_MS`), renewed by `heartbeatRun`: a process that dies stops holding its
   * partitions and pool slots when the lease runs out.
   */
  readonly leaseMs?: number;
}

/** The lease of a run a process executes itself, when none is given (`LIGNEE_LEASE_MS`'s default). */
export const DEFAULT_LOCAL_LEASE_MS = 15_000;

export interface StoredEvent extends RunEvent {
  readonly id: number;
  readonly runId: string;
}

/** One partition written by a materialisation. */
export interface MaterializedPartition {
  readonly key: string;
  readonly index: number;
  readonly dataVersion: string;
  /** Upstream asset → the version of its data this partition was computed from. */
  readonly inputVersions: Record<string, string>;
  /** This partition's own metadata, recorded over the materialisation's `metadata`. */
  readonly metadata?: Record<string, unknown>;
}

export interface MaterializationInput {
  readonly runId: string;
  readonly assetKey: string;
  readonly codeVersion: string;
  readonly depsSignature: string;
  /**
   * The asset's `partitionsLayout`: when given, a materialisation whose stored partitions would
   * name other keys under it is refused (PartitionsChangedError). Every step gives it.
   */
  readonly partitionsLayout?: string;
  readonly partitions: readonly MaterializedPartition[];
  readonly metadata: Record<string, unknown>;
  /** Direct downstream assets whose partitions now read newer data. */
  readonly invalidates: readonly { assetKey: string; partitions: IntervalSet }[];
  /**
   * Upstream partitions this step read, and the materialisation-id watermark taken when it
   * started: anything upstream materialised after that makes this output stale at once.
   */
  readonly readSince: {
    readonly watermark: number;
    readonly upstream: readonly { assetKey: string; partitions: IntervalSet | "all" }[];
  };
}

export type { MaterializationRecord };

export interface CheckResultInput {
  readonly runId: string;
  readonly assetKey: string;
  readonly partitionKey?: string;
  /** The partition's index (0 or left out for an unpartitioned asset): what blocking reads. */
  readonly partitionIndex?: number;
  readonly checkName: string;
  readonly passed: boolean;
  readonly severity: "error" | "warn";
  readonly description?: string;
  readonly metadata?: Record<string, unknown>;
  /** How long the evaluation took (left out for results reported by a materialisation). */
  readonly durationMs?: number;
}

export interface CheckResultRecord {
  readonly id: number;
  readonly runId: string;
  readonly assetKey: string;
  readonly partitionKey: string;
  readonly checkName: string;
  readonly passed: boolean;
  readonly severity: "error" | "warn";
  readonly description: string | null;
  readonly metadata: Record<string, unknown>;
  readonly durationMs: number | null;
  readonly createdAt: Date;
}

export interface AssetDigest {
  readonly digest: string;
  readonly partitionCount: number;
  readonly lastMaterializationId: number;
}

export interface ListRunsOptions {
  /** Default 50. */
  readonly limit?: number;
  readonly status?: RunStatus;
  readonly assetKey?: string;
  /** Runs whose id starts with these hexadecimal digits (see `parseRunIdPrefix`). */
  readonly idPrefix?: string;
}

export interface ListMaterializationsOptions {
  /** Default 100. */
  readonly limit?: number;
  readonly latestPerPartition?: boolean;
  /** Only the materialisations of this partition (its index). */
  readonly partitionIndex?: number;
}

/**
 * Everything the engine persists. One implementation (PostgreSQL); the contract suite in
 * `storage.contract.test.ts` runs against a real server.
 */
export interface Storage {
  createRun(run: NewRun): Promise<RunRecord>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** Newest first; `assetKey` keeps the runs whose asset keys include it. */
  listRuns(options?: ListRunsOptions): Promise<RunRecord[]>;
  /** Moves a run to `status`; terminal statuses set `endedAt`. */
  setRunStatus(runId: string, status: RunStatus, error?: string): Promise<void>;
  /**
   * Renews the lease of a STARTED run this process executes itself; tells whether the run is
   * still STARTED (a reaper ends a run whose lease ran out) and whether a cancel was asked for.
   */
  heartbeatRun(runId: string, leaseMs: number): Promise<LeaseState>;

  /**
   * The end of a run this process executes itself: appends its last events, clears its running
   * marks and moves it to its outcome, as `appendEvents`, `clearRunning` and `setRunStatus` in
   * that order would (one round trip when the end is not news; see `announceRunEnd`).
   */
  endRun(
    runId: string,
    outcome: "SUCCESS" | "FAILURE" | "CANCELED",
    error: string | undefined,
    events: readonly RunEvent[],
  ): Promise<void>;

  appendEvents(runId: string, events: readonly RunEvent[]): Promise<void>;
  listEvents(runId: string, options?: { afterId?: number; limit?: number }): Promise<StoredEvent[]>;

  /** Marks partitions as being materialised by a run; returns the materialisation watermark. */
  markRunning(runId: string, assetKey: string, partitions: IntervalSet): Promise<number>;
  /**
   * Marks partitions as being materialised by a run, all or none, unless another live run is
   * materialising some of them: then nothing is marked and that run is named. Two runs never
   * write one partition at once.
   */
  claimPartitions(
    runId: string,
    claims: readonly PartitionClaim[],
    /** Upstream data to read with the claim (in the snapshot of its watermark). */
    reads?: readonly InputRead[],
  ): Promise<ClaimOutcome>;
  /** Records the latest attempt of partitions as failed and clears their running mark. */
  markFailed(runId: string, assetKey: string, partitions: IntervalSet): Promise<void>;
  /** Clears a run's running marks (e.g. on cancellation before a step did anything). */
  clearRunning(runId: string, assetKey?: string): Promise<void>;
  recordMaterialization(input: MaterializationInput): Promise<number[]>;

  getAssetSummaries(): Promise<Map<string, AssetStorageSummary>>;
  /** The `partitionsLayout` recorded for each of these assets that has one. */
  getPartitionsLayouts(assetKeys: readonly string[]): Promise<Map<string, string>>;
  /** The keys of these dynamic partitions sets, with their indices (see `loadDynamicPartitions`). */
  readDynamicPartitions(names: readonly string[]): Promise<DynamicPartitionsSnapshot>;
  /**
   * Adds keys to a dynamic partitions set; keys already in it are an error (nothing added)
   * unless `existing: "skip"`.
   */
  addDynamicPartitions(
    name: string,
    keys: readonly string[],
    options?: { existing?: "error" | "skip" },
  ): Promise<AddedDynamicPartitions>;
  /** Removes keys from a dynamic partitions set; a key not in it is an error (nothing removed). */
  removeDynamicPartitions(name: string, keys: readonly string[]): Promise<readonly string[]>;
  /**
   * Applies keys' additions and removals in order, in one transaction (all or none), as a
   * sensor asks: adding a key already there and removing one that is not are no-ops, so that
   * the same changes can be applied again. Returns the keys each change added or removed.
   */
  applyDynamicPartitionsChanges(
    changes: readonly DynamicPartitionsChange[],
  ): Promise<readonly (readonly string[])[]>;
  getDigest(assetKey: string): Promise<AssetDigest | undefined>;
  /** When each materialised asset was last materialised (any partition). */
  lastMaterializedAt(): Promise<Map<string, Date>>;
  /** Latest data version per partition index of an asset, for the given partitions. */
  getDataVersions(assetKey: string, partitions: IntervalSet): Promise<Map<number, string>>;
  /** Newest first; with `latestPerPartition`, only the newest materialisation of each partition. */
  listMaterializations(
    assetKey: string,
    options?: ListMaterializationsOptions,
  ): Promise<MaterializationRecord[]>;

  /**
   * The newest successful steps of each asset (at most `limit` per asset), to estimate how long
   * materialising it takes.
   */
  recentStepDurations(assetKeys: readonly string[], limit: number): Promise<StepDuration[]>;

  recordCheckResult(input: CheckResultInput): Promise<void>;
  /**
   * Records results in one transaction, each failure with its `check_failed` alert; results of
   * a check switched off are not stored. Resolves to how many were.
   */
  recordCheckResults(inputs: readonly CheckResultInput[]): Promise<number>;
  /** The results of one check (of one partition, or all), newest first, paged by id. */
  checkHistory(options: CheckHistoryOptions): Promise<CheckResultRecord[]>;
  /** Per asset, the enabled `error` checks whose latest result failed, and where. */
  failedErrorChecks(): Promise<Map<string, FailedCheck[]>>;
  /** Switches a check off or on; a check never switched is enabled. */
  setCheckEnabled(input: {
    assetKey: string;
    checkName: string;
    enabled: boolean;
    updatedBy?: string;
  }): Promise<CheckSwitch>;
  /** The recorded switches, of one asset or of all. */
  checkSwitches(assetKey?: string): Promise<CheckSwitch[]>;
  /**
   * The latest result of each check (per partition) of an asset, or of every asset; with
   * `partitionKey`, of that partition only.
   */
  latestCheckResults(assetKey?: string, partitionKey?: string): Promise<CheckResultRecord[]>;

  /**
   * Runs left STARTED by a process that no longer exists are marked FAILURE with a reason;
   * their running partitions become failed. Returns the ids of the runs it failed.
   */
  failOrphanedRuns(
    hostname: string,
    isAlive: (run: { id: string; pid: number | null }) => boolean,
  ): Promise<string[]>;

  close(): Promise<void>;
}

/** Storage that can give a worker a view whose writes commit only while it holds a run's lease. */
export interface FenceableStorage extends Storage {
  fenced(fence: RunFence): Storage;
}

export type { AssetStorageSummary } from "../status/asset-storage-summary";
