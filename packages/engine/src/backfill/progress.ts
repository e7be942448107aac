import type { RunStatus } from "../storage/storage";

/**
 * A backfill is REQUESTED while its runs are being created (an interrupted creation is resumed
 * from there), RUNNING once every chunk has its run, then COMPLETED when every run succeeded,
 * FAILED when they all ended and one did not succeed, or CANCELED.
 */
export const BACKFILL_STATUSES = [
  "REQUESTED",
  "RUNNING",
  "COMPLETED",
  "FAILED",
  "CANCELED",
] as const;
export type BackfillStatus = (typeof BACKFILL_STATUSES)[number];

const RUN_STATUSES: readonly RunStatus[] = ["QUEUED", "STARTED", "SUCCESS", "FAILURE", "CANCELED"];

export type StatusCounts = Readonly<Record<RunStatus, number>>;

/** What a backfill's runs have done, counted in runs and in partitions. */
export interface BackfillProgress {
  /** Chunks the backfill is cut into. */
  readonly totalChunks: number;
  /** Chunks whose run exists (all of them once the backfill is RUNNING). */
  readonly createdChunks: number;
  /** Runs by status. */
  readonly runs: StatusCounts;
  /** Partitions of the existing runs. */
  readonly totalPartitions: number;
  /** Partitions by the status of the run that covers them. */
  readonly partitions: StatusCounts;
  /** Started runs asked to stop that have not stopped yet. */
  readonly canceling: number;
  /** Every chunk has a run and every run has ended. */
  readonly finished: boolean;
}

/** One group of a backfill's runs, as storage counts them. */
export interface ProgressRow {
  readonly status: RunStatus;
  readonly runs: number;
  readonly partitions: number;
  readonly canceling: number;
}

/**
 * Adds up the counts of a backfill's runs by status.
 *
 * @example
 * summarizeProgress(2, [{ status: "SUCCESS", runs: 2, partitions: 15, canceling: 0 }]).finished // true
 */
export function summarizeProgress(
  totalChunks: number,
  rows: readonly ProgressRow[],
): BackfillProgress {
  const runs = zeroCounts();
  const partitions = zeroCounts();
  let canceling = 0;
  for (const row of rows) {
    runs[row.status] += row.runs;
    partitions[row.status] += row.partitions;
    canceling += row.canceling;
  }
  const createdChunks = sum(runs);
  const active = runs.QUEUED + runs.STARTED;
  return {
    totalChunks,
    createdChunks,
    runs,
    totalPartitions: sum(partitions),
    partitions,
    canceling,
    finished: createdChunks >= totalChunks && active === 0,
  };
}

/**
 * The status a backfill moves to given its progress: a RUNNING backfill whose runs have all
 * ended is COMPLETED when they all succeeded, FAILED otherwise; any other status stays.
 */
export function settledStatus(status: BackfillStatus, progress: BackfillProgress): BackfillStatus {
  if (status !== "RUNNING" || !progress.finished) return status;
  return progress.runs.SUCCESS === progress.totalChunks ? "COMPLETED" : "FAILED";
}

/**
 * Whether there is nothing left to wait for: the backfill is COMPLETED or FAILED, or CANCELED
 * and none of its runs is still executing.
 */
export function isBackfillDone(status: BackfillStatus, progress: BackfillProgress): boolean {
  if (status === "COMPLETED" || status === "FAILED") return true;
  return status === "CANCELED" && progress.runs.STARTED === 0;
}

/**
 * `412/900 partitions done, 3 failed, 10 running, 475 queued`: the parts that are not zero.
 */
export function describeProgress(progress: BackfillProgress): string {
  const p = progress.partitions;
  const parts = [`${p.SUCCESS}/${progress.totalPartitions} partitions done`];
  if (p.FAILURE > 0) parts.push(`${p.FAILURE} failed`);
  if (p.CANCELED > 0) parts.push(`${p.CANCELED} canceled`);
  if (p.STARTED > 0) parts.push(`${p.STARTED} running`);
  if (p.QUEUED > 0) parts.push(`${p.QUEUED} queued`);
  if (progress.createdChunks < progress.totalChunks) {
    parts.push(`${progress.createdChunks}/${progress.totalChunks} runs created`);
  }
  return parts.join(", ");
}

function zeroCounts(): Record<RunStatus, number> {
  return { QUEUED: 0, STARTED: 0, SUCCESS: 0, FAILURE: 0, CANCELED: 0 };
}

function sum(counts: StatusCounts): number {
  return RUN_STATUSES.reduce((total, status) => total + counts[status], 0);
}
