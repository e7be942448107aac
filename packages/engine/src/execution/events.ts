/** Structured run events: what the executor emits, the event log stores and the CLI/UI show. */
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
  | "MATERIALIZATION";

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

/** Error details kept on failure events: message, class, stack and the chain of causes. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly cause?: SerializedError;
}

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const out: SerializedError = {
    name: error.name,
    message: error.message,
    ...(error.stack ? { stack: error.stack } : {}),
    ...(error.cause !== undefined && depth < 5
      ? { cause: serializeError(error.cause, depth + 1) }
      : {}),
  };
  return out;
}
