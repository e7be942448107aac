import { LigneeError } from "../../errors";
import type { RunStatus } from "../storage";

/** The named operations that write `lignee.runs`, one file each in this folder. */
export type RunOperation =
  | "enqueue"
  | "start"
  | "claim"
  | "heartbeat"
  | "requestCancel"
  | "finish"
  | "fail"
  | "cancelQueued"
  | "release"
  | "reap";

/** `from: null`: the operation creates the run. */
export interface RunTransition {
  readonly operation: RunOperation;
  readonly from: RunStatus | null;
  readonly to: RunStatus;
}

/**
 * The run state machine, written once. Every statement that updates a run guards on the
 * statuses listed here for its operation (`statusGuard`), and `transitions.test.ts` checks the
 * table against the database: each listed transition happens, nothing else does.
 *
 * heartbeat and requestCancel keep a run STARTED (they renew its lease, or set
 * `cancel_requested`); release gives a run back to the queue with the same attempt, reap with
 * the next one (or ends it when no attempt is left, or when its cancellation was asked for).
 */
export const RUN_TRANSITIONS: readonly RunTransition[] = [
  { operation: "enqueue", from: null, to: "QUEUED" },
  { operation: "start", from: null, to: "STARTED" },
  { operation: "claim", from: "QUEUED", to: "STARTED" },
  { operation: "heartbeat", from: "STARTED", to: "STARTED" },
  { operation: "requestCancel", from: "STARTED", to: "STARTED" },
  { operation: "finish", from: "STARTED", to: "SUCCESS" },
  { operation: "finish", from: "STARTED", to: "FAILURE" },
  { operation: "finish", from: "STARTED", to: "CANCELED" },
  { operation: "fail", from: "STARTED", to: "FAILURE" },
  { operation: "cancelQueued", from: "QUEUED", to: "CANCELED" },
  { operation: "release", from: "STARTED", to: "QUEUED" },
  { operation: "reap", from: "STARTED", to: "QUEUED" },
  { operation: "reap", from: "STARTED", to: "FAILURE" },
  { operation: "reap", from: "STARTED", to: "CANCELED" },
];

/** The statuses a run may be in for `operation` to apply to it. */
export function fromStatuses(operation: RunOperation): RunStatus[] {
  const from = RUN_TRANSITIONS.filter((t) => t.operation === operation).map((t) => t.from);
  return [...new Set(from.filter((s): s is RunStatus => s !== null))];
}

/** Whether `operation` may move a run from `from` to `to`. */
export function isAllowed(operation: RunOperation, from: RunStatus | null, to: RunStatus): boolean {
  return RUN_TRANSITIONS.some((t) => t.operation === operation && t.from === from && t.to === to);
}

/**
 * The WHERE guard of an operation's statement, from the table: `r.status IN ('STARTED')`. The
 * statuses are the table's own constants, never input, so they are written into the SQL text
 * (a literal also lets the planner use the partial index on QUEUED runs).
 */
export function statusGuard(operation: RunOperation, column = "status"): string {
  const statuses = fromStatuses(operation);
  if (statuses.length === 0) {
    throw new LigneeError("STORAGE", `${operation} applies to no existing run`);
  }
  return `${column} IN (${statuses.map((s) => `'${s}'`).join(", ")})`;
}
