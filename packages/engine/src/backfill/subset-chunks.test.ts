import { describe, expect, it } from "vitest";
import {
  dynamicPartitions,
  DynamicPartitionsSnapshot,
  withLoadedKeys,
} from "../partitions/dynamic";
import { IntervalSet } from "../partitions/interval-set";
import { chunkSubset } from "./subset-chunks";

describe("chunkSubset", () => {
  const def = withLoadedKeys(
    dynamicPartitions({ name: "files" }),
    DynamicPartitionsSnapshot.fromRows(
      ["a", "b", "c", "d", "e"].map((key, index) => ({
        set: "files",
        key,
        index,
        removed: key === "c",
      })),
    ),
  );

  it("cuts the existing partitions only, so that no chunk starts or ends on a removed key", () => {
    expect(chunkSubset(def, IntervalSet.fromIndices([0, 1, 3, 4]), 3, 0)).toEqual([
      { index: 0, from: "a", to: "b", partitionCount: 2 },
      { index: 1, from: "d", to: "e", partitionCount: 2 },
    ]);
    expect(chunkSubset(def, IntervalSet.EMPTY, 3, 0)).toEqual([]);
    expect(() => chunkSubset(def, IntervalSet.single(0), 0, 0)).toThrow(/chunk size/);
  });

  it("cuts along fixed index ranges from the origin: a removed key moves no other chunk", () => {
    expect(chunkSubset(def, IntervalSet.fromIndices([1, 3, 4]), 2, 1)).toEqual([
      { index: 0, from: "b", to: "b", partitionCount: 1 },
      { index: 1, from: "d", to: "e", partitionCount: 2 },
    ]);
    expect(chunkSubset(def, IntervalSet.fromIndices([0, 1, 3, 4]), 2, 0)).toEqual([
      { index: 0, from: "a", to: "b", partitionCount: 2 },
      { index: 1, from: "d", to: "d", partitionCount: 1 },
      { index: 2, from: "e", to: "e", partitionCount: 1 },
    ]);
  });
});
