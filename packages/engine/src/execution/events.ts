import { redactMachinePaths } from "./redact-paths";

/** Structured run events: what the executor emits, the event log stores and the CLI/UI show. */
export type { EventLevel, RunEvent, RunEventType } from "../storage/run-event";

/** Error details kept on failure events: message, class, stack and the chain of causes. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly cause?: SerializedError;
}

/**
 * Message and stack have the machine's absolute paths redacted (see `redactMachinePaths`):
 * events are served over the API.
 */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error))
    return { name: "Error", message: redactMachinePaths(String(error)) };
  const out: SerializedError = {
    name: error.name,
    message: redactMachinePaths(error.message),
    ...(error.stack ? { stack: redactMachinePaths(error.stack) } : {}),
    ...(error.cause !== undefined && depth < 5
      ? { cause: serializeError(error.cause, depth + 1) }
      : {}),
  };
  return out;
}

/**
 * One line for a failure, for event messages and the run's error: the error's message, then
 * each cause's message that it does not already include ("could not write: disk full"), with
 * the machine's absolute paths redacted.
 */
export function describeFailure(error: unknown): string {
  let text = describe(error);
  let cause = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    const message = describe(cause);
    if (message && !text.includes(message)) text = `${text}: ${message}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return redactMachinePaths(text);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
