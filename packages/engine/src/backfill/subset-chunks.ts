import { partitionKey, type PartitionsDefinition } from "../partitions/definition";
import type { IntervalSet } from "../partitions/interval-set";
import { checkChunkSize, type BackfillChunk } from "./chunks";

/**
 * Cuts the partitions of `subset` along fixed ranges of `chunkSize` indices from `origin`
 * (chunk k covers indices origin + k × chunkSize …): for partitions whose existing indices have
 * gaps (dynamic partitions, once keys are removed), so that no chunk starts or ends on a key
 * that is gone and each counts only existing partitions. The ranges do not move when keys are
 * removed: cutting again later (resuming an interrupted backfill) gives every chunk the same
 * index and range, so no key is skipped or queued twice. A range with no existing partition
 * makes no chunk: chunk indices may have gaps; a chunk may hold fewer than `chunkSize`.
 *
 * @example
 * chunkSubset(def, IntervalSet.fromIndices([0, 1, 3, 4]), 3, 0)
 * // [{ index: 0, from: key(0), to: key(1), partitionCount: 2 }, { index: 1, from: key(3), to: key(4), partitionCount: 2 }]
 */
export function chunkSubset(
  def: PartitionsDefinition,
  subset: IntervalSet,
  chunkSize: number,
  origin: number,
): BackfillChunk[] {
  checkChunkSize(chunkSize);
  const chunks: BackfillChunk[] = [];
  let cell: number | undefined;
  let current: number[] = [];
  const close = (): void => {
    if (cell === undefined || current.length === 0) return;
    chunks.push({
      index: cell,
      from: partitionKey(def, current[0]!),
      to: partitionKey(def, current[current.length - 1]!),
      partitionCount: current.length,
    });
    current = [];
  };
  for (const i of subset) {
    const at = Math.floor((i - origin) / chunkSize);
    if (at !== cell) {
      close();
      cell = at;
    }
    current.push(i);
  }
  close();
  return chunks;
}
