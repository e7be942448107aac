import type pg from "pg";
import { readPartitionsLayouts } from "./sql/read-partitions-layouts";
import type { RunEvent } from "./run-event";
import { IntervalSet } from "../partitions/interval-set";
import { CheckResults } from "./check-results";
import type { CheckHistoryOptions } from "./checks/check-history";
import { listCheckSwitches, setCheckEnabled, type CheckSwitch } from "./checks/check-switches";
import type { FailedCheck } from "./checks/failed-checks";
import { LeaseFence } from "./fence";
import { Materializations } from "./materializations";
import { PartitionMarks } from "./partition-marks";
import { RunLog } from "./run-log";
import type { LeaseState } from "./runs/heartbeat";
import type { ClaimOutcome, InputRead, PartitionClaim } from "./sql/claim-partitions";
import { recentStepDurations, type StepDuration } from "./sql/step-durations";
import { connectPool } from "./transaction";
import type { DynamicPartitionsChange, DynamicPartitionsSnapshot } from "../partitions/dynamic";
import {
  DynamicPartitionKeysWriter,
  type AddedDynamicPartitions,
} from "./dynamic-partitions/dynamic-partition-keys";
import { DynamicPartitionsReader } from "./dynamic-partitions/read-dynamic-partitions";
import type {
  AssetDigest,
  AssetStorageSummary,
  CheckResultInput,
  CheckResultRecord,
  FenceableStorage,
  ListMaterializationsOptions,
  ListRunsOptions,
  MaterializationInput,
  MaterializationRecord,
  NewRun,
  RunFence,
  RunRecord,
  RunStatus,
  StoredEvent,
} from "./storage";

/**
 * The PostgreSQL implementation of `Storage`: a facade over its parts, runs and events
 * (`RunLog`, whose run writes are the transitions of `./runs/`), materialisations and digests
 * (`Materializations`), partition marks (`PartitionMarks`) and check results (`CheckResults`).
 * Fencing is applied here, and only here: a worker's view checks its lease before each write
 * of its run.
 */
export class PostgresStorage implements FenceableStorage {
  private readonly runs: RunLog;
  private readonly materializations: Materializations;
  private readonly marks: PartitionMarks;
  private readonly checks: CheckResults;
  private readonly lease: LeaseFence;
  private readonly dynamicPartitions: DynamicPartitionKeysWriter;
  private readonly dynamicPartitionsReader: DynamicPartitionsReader;

  private constructor(
    private readonly pool: pg.Pool,
    fence?: RunFence,
  ) {
    this.runs = new RunLog(pool);
    this.materializations = new Materializations(pool);
    this.marks = new PartitionMarks(pool);
    this.checks = new CheckResults(pool);
    this.lease = new LeaseFence(pool, fence);
    this.dynamicPartitions = new DynamicPartitionKeysWriter(pool);
    this.dynamicPartitionsReader = new DynamicPartitionsReader(pool);
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

  // ---------------------------------------------------------------- runs and events

  createRun(run: NewRun): Promise<RunRecord> {
    return this.runs.createRun(run);
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.runs.getRun(runId);
  }

  listRuns(options?: ListRunsOptions): Promise<RunRecord[]> {
    return this.runs.listRuns(options);
  }

  setRunStatus(runId: string, status: RunStatus, error?: string): Promise<void> {
    return this.runs.setRunStatus(runId, status, error);
  }

  heartbeatRun(runId: string, leaseMs: number): Promise<LeaseState> {
    return this.runs.heartbeatRun(runId, leaseMs);
  }

  async endRun(
    runId: string,
    outcome: "SUCCESS" | "FAILURE" | "CANCELED",
    error: string | undefined,
    events: readonly RunEvent[],
  ): Promise<void> {
    if (this.lease.fenced) {
      // A worker's run ends through its queue; this view only writes what it still may.
      await this.appendEvents(runId, events);
      await this.clearRunning(runId);
      await this.setRunStatus(runId, outcome, error);
      return;
    }
    await this.runs.endRun(runId, outcome, error, events);
  }

  async appendEvents(runId: string, events: readonly RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    // A worker that lost its lease no longer writes to the run's log (its next attempt does).
    if (!(await this.lease.held())) return;
    await this.runs.appendEvents(runId, events);
  }

  listEvents(
    runId: string,
    options?: { afterId?: number; limit?: number },
  ): Promise<StoredEvent[]> {
    return this.runs.listEvents(runId, options);
  }

  failOrphanedRuns(
    hostname: string,
    isAlive: (run: { id: string; pid: number | null }) => boolean,
  ): Promise<string[]> {
    return this.runs.failOrphanedRuns(hostname, isAlive);
  }

  // ---------------------------------------------------------------- partition marks

  async markRunning(runId: string, assetKey: string, partitions: IntervalSet): Promise<number> {
    await this.lease.require(runId);
    return this.marks.markRunning(runId, assetKey, partitions);
  }

  async claimPartitions(
    runId: string,
    claims: readonly PartitionClaim[],
    reads?: readonly InputRead[],
  ): Promise<ClaimOutcome> {
    await this.lease.require(runId);
    return this.marks.claimPartitions(runId, claims, reads);
  }

  async markFailed(runId: string, assetKey: string, partitions: IntervalSet): Promise<void> {
    // The marks of a run whose lease was lost belong to its next attempt now.
    if (!(await this.lease.held())) return;
    await this.marks.markFailed(runId, assetKey, partitions);
  }

  async clearRunning(runId: string, assetKey?: string): Promise<void> {
    if (!(await this.lease.held())) return;
    await this.marks.clearRunning(runId, assetKey);
  }

  /** The partition roll-ups, with each asset's failed `error` checks (what holds downstream). */
  readDynamicPartitions(names: readonly string[]): Promise<DynamicPartitionsSnapshot> {
    return this.dynamicPartitionsReader.read(names);
  }

  addDynamicPartitions(
    name: string,
    keys: readonly string[],
    options?: { existing?: "error" | "skip" },
  ): Promise<AddedDynamicPartitions> {
    return this.dynamicPartitions.add(name, keys, options);
  }

  removeDynamicPartitions(name: string, keys: readonly string[]): Promise<readonly string[]> {
    return this.dynamicPartitions.remove(name, keys);
  }

  applyDynamicPartitionsChanges(
    changes: readonly DynamicPartitionsChange[],
  ): Promise<readonly (readonly string[])[]> {
    return this.dynamicPartitions.apply(changes);
  }

  async getAssetSummaries(): Promise<Map<string, AssetStorageSummary>> {
    const [summaries, failed] = await Promise.all([
      this.marks.getAssetSummaries(),
      this.checks.failedErrorChecks(),
    ]);
    for (const [assetKey, failedChecks] of failed) {
      const summary = summaries.get(assetKey) ?? {
        versions: [],
        staleMarks: [],
        failed: IntervalSet.EMPTY,
        running: IntervalSet.EMPTY,
      };
      summaries.set(assetKey, { ...summary, failedChecks });
    }
    return summaries;
  }

  getPartitionsLayouts(assetKeys: readonly string[]): Promise<Map<string, string>> {
    return readPartitionsLayouts(this.pool, assetKeys);
  }

  // ---------------------------------------------------------------- materialisations and digests

  recordMaterialization(input: MaterializationInput): Promise<number[]> {
    return this.materializations.record(
      input,
      this.lease.fenced ? (tx) => this.lease.check(tx) : undefined,
    );
  }

  getDigest(assetKey: string): Promise<AssetDigest | undefined> {
    return this.materializations.getDigest(assetKey);
  }

  lastMaterializedAt(): Promise<Map<string, Date>> {
    return this.materializations.lastMaterializedAt();
  }

  getDataVersions(assetKey: string, partitions: IntervalSet): Promise<Map<number, string>> {
    return this.materializations.getDataVersions(assetKey, partitions);
  }

  listMaterializations(
    assetKey: string,
    options?: ListMaterializationsOptions,
  ): Promise<MaterializationRecord[]> {
    return this.materializations.list(assetKey, options);
  }

  recentStepDurations(assetKeys: readonly string[], limit: number): Promise<StepDuration[]> {
    return recentStepDurations(this.pool, assetKeys, limit);
  }

  // ---------------------------------------------------------------- checks

  async recordCheckResult(input: CheckResultInput): Promise<void> {
    await this.recordCheckResults([input]);
  }

  async recordCheckResults(inputs: readonly CheckResultInput[]): Promise<number> {
    const runId = inputs[0]?.runId;
    if (runId === undefined) return 0;
    await this.lease.require(runId);
    return this.checks.record(inputs);
  }

  checkHistory(options: CheckHistoryOptions): Promise<CheckResultRecord[]> {
    return this.checks.history(options);
  }

  failedErrorChecks(): Promise<Map<string, FailedCheck[]>> {
    return this.checks.failedErrorChecks();
  }

  setCheckEnabled(input: {
    assetKey: string;
    checkName: string;
    enabled: boolean;
    updatedBy?: string;
  }): Promise<CheckSwitch> {
    return setCheckEnabled(this.pool, input);
  }

  checkSwitches(assetKey?: string): Promise<CheckSwitch[]> {
    return listCheckSwitches(this.pool, assetKey);
  }

  latestCheckResults(assetKey?: string, partitionKey?: string): Promise<CheckResultRecord[]> {
    return this.checks.latest(assetKey, partitionKey);
  }
}
