import type { PartitionRequest } from "../planning/partition-request";
import type { ActiveRun } from "../definitions/sensor";
import type { LaunchedBy } from "../storage/launched-by";

/** What an on/off switch and a cursor belong to. Eager automation is switched per asset. */
export type AutomationKind = "schedule" | "sensor" | "eager";
export const AUTOMATION_KINDS: readonly AutomationKind[] = ["schedule", "sensor", "eager"];

/**
 * A schedule tick: STARTED once recorded (its run id is already decided), then SUCCESS when its
 * run is queued, FAILURE when the run could not be requested (its error says why), or SKIPPED
 * when it was missed by more than the catch-up window.
 */
export type ScheduleTickStatus = "STARTED" | "SUCCESS" | "SKIPPED" | "FAILURE";
export type SensorTickStatus = "SUCCESS" | "SKIPPED" | "FAILURE";

export interface AutomationState {
  readonly kind: AutomationKind;
  readonly name: string;
  readonly enabled: boolean;
  /**
   * A sensor's cursor; for a schedule, the instant it started from (ISO): ticks before it are
   * never launched.
   */
  readonly cursor: string | null;
  readonly updatedAt: Date;
}

export interface ScheduleTick {
  readonly schedule: string;
  readonly scheduledAt: Date;
  readonly status: ScheduleTickStatus;
  readonly runId: string | null;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewScheduleTick {
  readonly schedule: string;
  readonly scheduledAt: Date;
  readonly status: ScheduleTickStatus;
  readonly runId: string | null;
  readonly error?: string;
}

export interface SensorTick {
  readonly id: number;
  readonly sensor: string;
  readonly status: SensorTickStatus;
  readonly cursor: string | null;
  readonly runIds: readonly string[];
  readonly message: string | null;
  readonly createdAt: Date;
}

/** A watch of committed changes (`AutomationStore.watchChanges`). */
export interface ChangeWatch {
  /** True while changes are being announced (false while the watch reconnects). */
  readonly active: boolean;
  stop(): Promise<void>;
}

/** A run to put in the queue (validated by `prepareRun` first). */
export interface QueuedRun {
  readonly id: string;
  readonly selection: string;
  readonly assetKeys: readonly string[];
  readonly partitions: PartitionRequest;
  readonly tags: Readonly<Record<string, string>>;
  /** Its validated config, per asset key (default `{}`). */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Concurrency pools the run takes a slot of. */
  readonly pools: readonly string[];
  /** Tries in all when its worker dies (default 1). */
  readonly maxAttempts?: number;
  /** The schedule, sensor or eager automation that queues it. */
  readonly launchedBy: LaunchedBy;
}

export interface SensorTickInput {
  readonly sensor: string;
  readonly status: SensorTickStatus;
  readonly message: string | null;
  /** The cursor recorded with the tick. */
  readonly cursor: string | null;
  readonly runs: readonly QueuedRun[];
  /**
   * Moves the state's cursor from `expected` to `next` in the same transaction; when the cursor
   * is no longer `expected` (another scheduler evaluated meanwhile) nothing is written.
   */
  readonly cursorUpdate?: {
    readonly kind: AutomationKind;
    readonly name: string;
    readonly expected: string | null;
    readonly next: string | null;
  };
}

/**
 * What automation persists, in PostgreSQL beside the runs: switches and cursors, schedule
 * ticks (one row per schedule and scheduled instant: the uniqueness that makes a tick launch one
 * run), sensor evaluations, and the queued runs they create. Tested against a real server in
 * `automation-store.test.ts`.
 */
export interface AutomationStore {
  /** The state of a schedule, sensor or eager asset; created (enabled, with `cursor`) if absent. */
  ensureState(kind: AutomationKind, name: string, cursor: string | null): Promise<AutomationState>;
  listStates(): Promise<AutomationState[]>;
  /**
   * Switches automation on or off. Switching a disabled schedule on moves its start to `now`:
   * the ticks it missed while off are not caught up.
   */
  setEnabled(
    kind: AutomationKind,
    name: string,
    enabled: boolean,
    now: Date,
  ): Promise<AutomationState>;

  latestScheduleTick(schedule: string): Promise<ScheduleTick | undefined>;
  /** Ticks recorded whose run may not exist yet (a crash, or another scheduler at work). */
  startedScheduleTicks(schedule: string): Promise<ScheduleTick[]>;
  /** Inserts the ticks that do not exist yet; returns the ones this call inserted. */
  insertScheduleTicks(ticks: readonly NewScheduleTick[]): Promise<ScheduleTick[]>;
  /** Moves a STARTED tick to its outcome (a tick that is no longer STARTED is left alone). */
  finishScheduleTick(
    schedule: string,
    scheduledAt: Date,
    status: Exclude<ScheduleTickStatus, "STARTED">,
    error?: string,
  ): Promise<void>;
  /** Newest first. */
  listScheduleTicks(
    schedule: string,
    options?: { limit?: number; before?: Date },
  ): Promise<ScheduleTick[]>;

  /** Queues a run unless a run with its id exists; resolves to whether this call created it. */
  queueRun(run: QueuedRun): Promise<boolean>;
  /** Runs QUEUED or STARTED. */
  activeRuns(): Promise<ActiveRun[]>;
  /** The id of the latest materialisation (0 when there is none). */
  latestMaterializationId(): Promise<number>;
  /**
   * Runs `work` only if no other process is running work under the same name (a lock held for
   * the duration, not waited for); resolves to `undefined` when another one holds it.
   */
  exclusively<T>(name: string, work: () => Promise<T>): Promise<T | undefined>;
  /** The status of a run, or undefined if there is no such run. */
  runStatus(runId: string): Promise<string | undefined>;
  /**
   * Calls `onChange` soon after any process commits a materialisation or ends a run, and each
   * time the watch resumes after a loss (what was committed meanwhile went unannounced), until
   * stopped. Optional: without it the scheduler sees changes at its interval only.
   */
  watchChanges?(onChange: () => void, log: (message: string) => void): ChangeWatch;

  /**
   * Records a sensor (or eager) evaluation: queues its runs, moves the cursor, records the tick,
   * in one transaction. Resolves to false, having written nothing, if the cursor moved meanwhile.
   */
  recordSensorTick(input: SensorTickInput): Promise<boolean>;
  /** Newest first. */
  listSensorTicks(sensor: string, options?: { limit?: number }): Promise<SensorTick[]>;

  close(): Promise<void>;
}
