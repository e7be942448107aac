import { partitionKey, type PartitionsDefinition } from "../partitions/definition";
import type { IntervalSet } from "../partitions/interval-set";
import { checkChunkSize, type BackfillChunk } from "./chunks";

/**
 * Cuts the partitions of `subset` into chunks of `chunkSize` partitions, in index order: for
 * partitions whose existing indices have gaps (dynamic partitions, once keys are removed), so that
 * no chunk starts or ends on a key that is gone and each counts only existing partitions.
 *
 * @example
 * chunkSubset(def, IntervalSet.fromIndices([0, 1, 3, 4]), 3)
 * // [{ index: 0, from: key(0), to: key(3), partitionCount: 3 }, { index: 1, from: key(4), to: key(4), partitionCount: 1 }]
 */
export function chunkSubset(
  def: PartitionsDefinition,
  subset: IntervalSet,
  chunkSize: number,
): BackfillChunk[] {
  checkChunkSize(chunkSize);
  const chunks: BackfillChunk[] = [];
  let current: number[] = [];
  const close = (): void => {
    chunks.push({
      index: chunks.length,
      from: partitionKey(def, current[0]!),
      to: partitionKey(def, current[current.length - 1]!),
      partitionCount: current.length,
    });
    current = [];
  };
  for (const i of subset) {
    current.push(i);
    if (current.length === chunkSize) close();
  }
  if (current.length > 0) close();
  return chunks;
}
