import { InvalidPartitionError } from "../errors";
import { partitionKey, type PartitionsDefinition } from "../partitions/definition";

/** Partitions per run when a backfill does not say. */
export const DEFAULT_CHUNK_SIZE = 10;

/** The most partitions one run of a backfill may cover. */
export const MAX_CHUNK_SIZE = 10_000;

/** One run of a backfill: consecutive partitions, first and last included. */
export interface BackfillChunk {
  /** Position in the backfill, from 0, in partition order. */
  readonly index: number;
  readonly from: string;
  readonly to: string;
  readonly partitionCount: number;
}

/**
 * Cuts the partitions `first`…`last` (indices, both included) into consecutive chunks of
 * `chunkSize` partitions, in partition order; the last chunk holds what is left. Throws
 * InvalidPartitionError for a chunk size that is not an integer from 1 to MAX_CHUNK_SIZE or a
 * reversed range.
 *
 * @example
 * chunkPartitions(dailyPartitions({ start: "2024-01-01" }), 19_723, 19_727, 2)
 * // [{ index: 0, from: "2024-01-01", to: "2024-01-02", partitionCount: 2 }, …, { index: 2,
 * //   from: "2024-01-05", to: "2024-01-05", partitionCount: 1 }]
 */
export function chunkPartitions(
  def: PartitionsDefinition,
  first: number,
  last: number,
  chunkSize: number,
): BackfillChunk[] {
  checkChunkSize(chunkSize);
  if (last < first) {
    throw new InvalidPartitionError(
      `partition range ${partitionKey(def, first)} … ${partitionKey(def, last)} is reversed`,
    );
  }
  const chunks: BackfillChunk[] = [];
  for (let start = first, index = 0; start <= last; start += chunkSize, index++) {
    const end = Math.min(start + chunkSize - 1, last);
    chunks.push({
      index,
      from: partitionKey(def, start),
      to: partitionKey(def, end),
      partitionCount: end - start + 1,
    });
  }
  return chunks;
}

export function checkChunkSize(chunkSize: number): void {
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new InvalidPartitionError(
      `the chunk size must be a whole number of partitions from 1 to ${MAX_CHUNK_SIZE}, not ${chunkSize}`,
    );
  }
}
