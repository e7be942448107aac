/**
 * The record of the event log (`lignee.events`): declared with the storage that keeps it; the
 * executor emits these and re-exports them (execution/events.ts).
 */
export type EventLevel = "debug" | "info" | "warn" | "error";

export type RunEventType =
  | "RUN_START"
  | "RUN_SUCCESS"
  | "RUN_FAILURE"
  | "RUN_CANCELED"
  | "STEP_START"
  | "STEP_SUCCESS"
  | "STEP_FAILURE"
  | "STEP_RETRY"
  | "STEP_WAITING"
  | "STEP_SKIPPED"
  | "LOG"
  | "MATERIALIZATION"
  | "CHECK_EVALUATION";

export interface RunEvent {
  readonly type: RunEventType;
  readonly level: EventLevel;
  readonly message: string;
  readonly stepKey?: string;
  readonly assetKey?: string;
  /** A key, or `first…last` for a range. */
  readonly partitionKey?: string;
  readonly data?: Record<string, unknown>;
  readonly timestamp: Date;
}
