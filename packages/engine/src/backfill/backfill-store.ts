import type { RunStatus } from "../storage/storage";
import type { BackfillChunk } from "./chunks";
import type { BackfillProgress, BackfillStatus } from "./progress";

/** Tags every run of a backfill carries (besides the backfill's own tags). */
export const BACKFILL_TAG = "lignee/backfill";
export const CHUNK_TAG = "lignee/chunk";
export const PARTITION_COUNT_TAG = "lignee/partitions";

export interface NewBackfill {
  readonly id: string;
  readonly selection: string;
  readonly fromKey: string;
  readonly toKey: string;
  readonly chunkSize: number;
  readonly totalChunks: number;
  readonly tags: Record<string, string>;
  /** The validated config of every run, per asset key (default `{}`). */
  readonly config?: Readonly<Record<string, unknown>>;
}

export interface BackfillRecord extends NewBackfill {
  readonly config: Readonly<Record<string, unknown>>;
  readonly status: BackfillStatus;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Computed from the backfill's runs when it is read. */
  readonly progress: BackfillProgress;
}

/** What every run of a backfill shares. */
export interface ChunkRunTemplate {
  readonly selection: string;
  readonly assetKeys: readonly string[];
  /** Concurrency pools its runs take a slot of. */
  readonly pools: readonly string[];
  /** Tries in all, counting the first (a run whose worker dies is queued again until then). */
  readonly maxAttempts: number;
  readonly tags: Record<string, string>;
  /** Default `{}`. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A chunk and the (deterministic) id of its run. */
export interface ChunkRun extends BackfillChunk {
  readonly runId: string;
}

/** One run of a backfill. */
export interface BackfillRun {
  readonly id: string;
  readonly chunk: number;
  readonly from: string;
  readonly to: string;
  readonly partitionCount: number;
  readonly status: RunStatus;
  readonly cancelRequested: boolean;
  readonly attempt: number;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
  readonly error: string | null;
}

export type CancelOutcome =
  | { readonly kind: "canceled"; readonly canceledRuns: number; readonly cancelingRuns: number }
  | { readonly kind: "finished"; readonly status: BackfillStatus };

export interface ListBackfillsOptions {
  /** Default 50. */
  readonly limit?: number;
  readonly status?: BackfillStatus;
}

/**
 * Where backfills live: `lignee.backfills` and their runs in `lignee.runs` (`backfill_id`).
 * A backfill's status is settled when it is read: a RUNNING backfill whose runs have all ended
 * is recorded COMPLETED or FAILED by the first reader that notices.
 */
export interface BackfillStore {
  /** Records a backfill, REQUESTED until every chunk has its run. */
  createBackfill(backfill: NewBackfill): Promise<void>;
  /**
   * Queues the runs of these chunks that do not exist yet, in batches of `batchSize` (one
   * transaction each, so an interruption keeps what was queued), while the backfill is
   * REQUESTED. Run ids are deterministic, so repeating it never duplicates a run. Returns the
   * number of runs queued.
   */
  enqueueChunks(
    backfillId: string,
    template: ChunkRunTemplate,
    chunks: readonly ChunkRun[],
    options?: { batchSize?: number },
  ): Promise<number>;
  /**
   * REQUESTED → RUNNING once every chunk has its run; returns the backfill as it is then. With
   * `recount` (a resumed backfill some of whose chunks have no partition left), the runs it has
   * are all its chunks: `totalChunks` becomes their number.
   */
  finishCreation(
    backfillId: string,
    options?: { readonly recount?: boolean },
  ): Promise<BackfillRecord>;
  getBackfill(backfillId: string): Promise<BackfillRecord | undefined>;
  /** Newest first. */
  listBackfills(options?: ListBackfillsOptions): Promise<BackfillRecord[]>;
  /** REQUESTED backfills nobody has added runs to for `idleMs`: interrupted creations. */
  listInterrupted(idleMs: number): Promise<BackfillRecord[]>;
  /** A backfill's runs in chunk order. */
  listRuns(
    backfillId: string,
    options?: { limit?: number; offset?: number },
  ): Promise<BackfillRun[]>;
  /**
   * Cancels a backfill: no more runs are created, queued runs are CANCELED, started ones are
   * asked to stop (their worker sees it at its next heartbeat). Undefined for an unknown id.
   */
  cancel(backfillId: string): Promise<CancelOutcome | undefined>;
  close(): Promise<void>;
}
