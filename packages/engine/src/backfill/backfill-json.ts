import type { BackfillRecord, BackfillRun } from "./backfill-store";

/** A backfill as JSON (the API's answers and `lignee backfill … --json`). */
export function backfillJson(backfill: BackfillRecord) {
  return {
    id: backfill.id,
    status: backfill.status,
    selection: backfill.selection,
    from: backfill.fromKey,
    to: backfill.toKey,
    chunkSize: backfill.chunkSize,
    totalChunks: backfill.totalChunks,
    tags: backfill.tags,
    config: backfill.config,
    error: backfill.error,
    createdAt: backfill.createdAt.toISOString(),
    updatedAt: backfill.updatedAt.toISOString(),
    progress: backfill.progress,
  };
}

/** One run of a backfill as JSON. */
export function backfillRunJson(run: BackfillRun) {
  return {
    id: run.id,
    chunk: run.chunk,
    from: run.from,
    to: run.to,
    partitionCount: run.partitionCount,
    status: run.status,
    cancelRequested: run.cancelRequested,
    attempt: run.attempt,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    endedAt: run.endedAt?.toISOString() ?? null,
    error: run.error,
  };
}
