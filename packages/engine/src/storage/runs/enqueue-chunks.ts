import { QUEUE_CHANNEL } from "./queue-channel";
import type { Queryable } from "./queryable";

/** What every run of a backfill shares, as stored. */
export interface ChunkRunsTemplate {
  readonly backfillId: string;
  readonly selection: string;
  readonly assetKeys: readonly string[];
  /** The backfill's tags, its id's tag included; each run adds its chunk and partition count. */
  readonly tags: Record<string, string>;
  /** The validated config of every run, per asset key. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly chunkTag: string;
  readonly partitionCountTag: string;
  readonly maxAttempts: number;
  readonly pools: readonly string[];
}

/** One chunk's run: a partition range. */
export interface ChunkRunRow {
  readonly runId: string;
  readonly index: number;
  readonly from: string;
  readonly to: string;
  readonly partitionCount: number;
}

/**
 * enqueue, many at once: (none) → QUEUED for the runs of a backfill's chunks, one statement for
 * the whole batch (`unnest` of arrays). Runs that exist already are left as they are (ids are
 * deterministic, so a resumed creation never duplicates one). Wakes the workers (on commit).
 * Resolves to the number of runs queued.
 */
export async function enqueueChunkRuns(
  db: Queryable,
  template: ChunkRunsTemplate,
  chunks: readonly ChunkRunRow[],
): Promise<number> {
  const result = await db.query<{ n: number }>(
    `WITH inserted AS (
       INSERT INTO lignee.runs
         (id, status, selection, asset_keys, partition_spec, tags, created_at,
          max_attempts, pools, backfill_id, launched_by, launched_by_detail, config)
       SELECT c.id, 'QUEUED', $2, $3::jsonb,
              jsonb_build_object('kind', 'range', 'from', c.from_key, 'to', c.to_key),
              $4::jsonb || jsonb_build_object($5::text, c.chunk::text, $6::text, c.n::text),
              -- One microsecond apart: the queue takes the oldest first, so chunks run in
              -- partition order.
              now() + c.chunk * interval '1 microsecond',
              $7, $8::jsonb, $1, 'backfill', $1, $15::jsonb
       FROM unnest($9::text[], $10::int[], $11::text[], $12::text[], $13::int[])
              AS c(id, chunk, from_key, to_key, n)
       ON CONFLICT (id) DO NOTHING
       RETURNING 1)
     SELECT count(*)::int AS n, pg_notify($14, $1) FROM inserted`,
    [
      template.backfillId,
      template.selection,
      JSON.stringify(template.assetKeys),
      JSON.stringify(template.tags),
      template.chunkTag,
      template.partitionCountTag,
      template.maxAttempts,
      JSON.stringify(template.pools),
      chunks.map((c) => c.runId),
      chunks.map((c) => c.index),
      chunks.map((c) => c.from),
      chunks.map((c) => c.to),
      chunks.map((c) => c.partitionCount),
      QUEUE_CHANNEL,
      JSON.stringify(template.config),
    ],
  );
  return result.rows[0]!.n;
}
