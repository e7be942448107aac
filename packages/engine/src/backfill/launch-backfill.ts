import { randomUUID } from "node:crypto";
import type { Definitions } from "../definitions/definitions";
import { describeError, LigneeError, UnknownBackfillError } from "../errors";
import type { BackfillRecord, BackfillStore, ChunkRun } from "./backfill-store";
import { prepareBackfill, prepareResumedBackfill, type PreparedBackfill } from "./prepare-backfill";
import { backfillRunId } from "./run-ids";

/**
 * Tries each run of a backfill gets by default (as any queued run: `LIGNEE_RUN_MAX_ATTEMPTS`):
 * a run whose worker died (lease expired) is queued again until then. Partition writes are
 * idempotent, so a retry redoes the chunk safely.
 */
export const BACKFILL_MAX_ATTEMPTS = 3;

/** A REQUESTED backfill untouched for this long is taken for an interrupted creation. */
export const INTERRUPTED_AFTER_MS = 60_000;

export interface LaunchOptions {
  /** Tags of the backfill, copied to each of its runs. */
  readonly tags?: Record<string, string>;
  /** Runs queued per statement. */
  readonly batchSize?: number;
  /** Tries of each run, the first included (default BACKFILL_MAX_ATTEMPTS). */
  readonly maxAttempts?: number;
  /** Default: a random UUID. */
  readonly id?: string;
}

/**
 * Records a prepared backfill, then queues one run per chunk (status QUEUED, `backfill_id`, a
 * `{ kind: "range", from, to }` partition spec) for the workers. The backfill stays REQUESTED
 * until every run exists, then is RUNNING; if this is interrupted, `resumeBackfill` finishes it.
 *
 * @example
 * const prepared = prepareBackfill(definitions, { selection: "raw/offres", from, to }, new Date());
 * const backfill = await launchBackfill(store, prepared);
 */
export async function launchBackfill(
  store: BackfillStore,
  prepared: PreparedBackfill,
  options: LaunchOptions = {},
): Promise<BackfillRecord> {
  const id = options.id ?? randomUUID();
  await store.createBackfill({
    id,
    selection: prepared.selection,
    fromKey: prepared.fromKey,
    toKey: prepared.toKey,
    chunkSize: prepared.chunkSize,
    totalChunks: prepared.chunks.length,
    tags: options.tags ?? {},
    config: prepared.config,
  });
  return queueRuns(store, id, prepared, options.tags ?? {}, options);
}

/**
 * Finishes creating the runs of a backfill left REQUESTED (its creation was interrupted): the
 * request is validated and cut again, and only the missing runs are queued. A backfill in any
 * other status is returned as it is.
 */
export async function resumeBackfill(
  definitions: Definitions<unknown>,
  store: BackfillStore,
  backfillId: string,
  now: Date,
  options: Pick<LaunchOptions, "batchSize" | "maxAttempts"> = {},
): Promise<BackfillRecord> {
  const backfill = await store.getBackfill(backfillId);
  if (!backfill) throw new UnknownBackfillError(backfillId);
  if (backfill.status !== "REQUESTED") return backfill;
  const prepared = prepareResumedBackfill(
    definitions,
    {
      selection: backfill.selection,
      from: backfill.fromKey,
      to: backfill.toKey,
      chunkSize: backfill.chunkSize,
      config: backfill.config,
      configStored: true,
    },
    now,
  );
  if (prepared.chunks.length === backfill.totalChunks) {
    return queueRuns(store, backfillId, prepared, backfill.tags, options);
  }
  if (!prepared.byIndex) {
    throw new LigneeError(
      "RUNTIME",
      `backfill ${backfillId} was cut into ${backfill.totalChunks} runs, the definitions now cut it into ${prepared.chunks.length}: cancel it and start another`,
    );
  }
  // Dynamic keys removed since: their chunks' ranges of indices do not move, so the chunks
  // still holding keys are queued by index, and the backfill counts the runs it has.
  return queueRuns(store, backfillId, prepared, backfill.tags, options, { recount: true });
}

/**
 * Resumes every backfill whose creation was interrupted (REQUESTED and untouched for
 * `idleMs`). A backfill that cannot be resumed is reported on `log` and left as it is.
 * Returns the ids of the backfills resumed.
 */
export async function resumeInterruptedBackfills(
  definitions: Definitions<unknown>,
  store: BackfillStore,
  options: {
    now?: Date;
    idleMs?: number;
    maxAttempts?: number;
    log?: (message: string) => void;
  } = {},
): Promise<string[]> {
  const resumed: string[] = [];
  for (const backfill of await store.listInterrupted(options.idleMs ?? INTERRUPTED_AFTER_MS)) {
    try {
      await resumeBackfill(definitions, store, backfill.id, options.now ?? new Date(), {
        ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      });
      resumed.push(backfill.id);
    } catch (error) {
      options.log?.(`backfill ${backfill.id} could not be resumed: ${describeError(error)}`);
    }
  }
  return resumed;
}

async function queueRuns(
  store: BackfillStore,
  backfillId: string,
  prepared: PreparedBackfill,
  tags: Record<string, string>,
  options: Pick<LaunchOptions, "batchSize" | "maxAttempts">,
  finish: { readonly recount?: boolean } = {},
): Promise<BackfillRecord> {
  const chunks: ChunkRun[] = prepared.chunks.map((c) => ({
    ...c,
    runId: backfillRunId(backfillId, c.index),
  }));
  await store.enqueueChunks(
    backfillId,
    {
      selection: prepared.selection,
      assetKeys: prepared.assetKeys,
      pools: prepared.pools,
      maxAttempts: options.maxAttempts ?? BACKFILL_MAX_ATTEMPTS,
      tags,
      config: prepared.config,
    },
    chunks,
    options.batchSize !== undefined ? { batchSize: options.batchSize } : {},
  );
  return store.finishCreation(backfillId, finish);
}
