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
    expect(chunkSubset(def, IntervalSet.fromIndices([0, 1, 3, 4]), 3)).toEqual([
      { index: 0, from: "a", to: "d", partitionCount: 3 },
      { index: 1, from: "e", to: "e", partitionCount: 1 },
    ]);
    expect(chunkSubset(def, IntervalSet.EMPTY, 3)).toEqual([]);
    expect(() => chunkSubset(def, IntervalSet.single(0), 0)).toThrow(/chunk size/);
  });
});
