import { describe, expect, it } from "vitest";
import { InvalidPartitionError } from "../errors";
import { parseDateKey } from "../partitions/calendar";
import { dailyPartitions, staticPartitions } from "../partitions/definition";
import { chunkPartitions, MAX_CHUNK_SIZE } from "./chunks";

const daily = dailyPartitions({ start: "2024-01-01" });
const day = (key: string): number => parseDateKey(key)!;

describe("chunkPartitions", () => {
  it("cuts a range into consecutive chunks, the last one holding what is left", () => {
    expect(chunkPartitions(daily, day("2024-02-27"), day("2024-03-03"), 2)).toEqual([
      { index: 0, from: "2024-02-27", to: "2024-02-28", partitionCount: 2 },
      { index: 1, from: "2024-02-29", to: "2024-03-01", partitionCount: 2 },
      { index: 2, from: "2024-03-02", to: "2024-03-03", partitionCount: 2 },
    ]);
    expect(chunkPartitions(daily, day("2024-01-01"), day("2024-01-05"), 2).at(-1)).toEqual({
      index: 2,
      from: "2024-01-05",
      to: "2024-01-05",
      partitionCount: 1,
    });
  });

  it("makes one chunk per partition with size 1, and one chunk when the size covers the range", () => {
    const one = chunkPartitions(daily, day("2024-01-01"), day("2026-06-18"), 1);
    expect(one).toHaveLength(900);
    expect(one.every((c) => c.from === c.to && c.partitionCount === 1)).toBe(true);
    expect(one.map((c) => c.index)).toEqual([...Array(900).keys()]);
    expect(chunkPartitions(daily, day("2024-01-01"), day("2024-01-03"), 10)).toEqual([
      { index: 0, from: "2024-01-01", to: "2024-01-03", partitionCount: 3 },
    ]);
  });

  it("covers every partition exactly once, in order", () => {
    const chunks = chunkPartitions(daily, day("2024-01-01"), day("2024-12-31"), 7);
    expect(chunks.reduce((n, c) => n + c.partitionCount, 0)).toBe(366);
    for (let i = 1; i < chunks.length; i++) {
      expect(day(chunks[i]!.from)).toBe(day(chunks[i - 1]!.to) + 1);
    }
  });

  it("uses the keys of static partitions", () => {
    const regions = staticPartitions(["bre", "idf", "naq", "occ", "pac"]);
    expect(chunkPartitions(regions, 1, 4, 3).map((c) => [c.from, c.to])).toEqual([
      ["idf", "occ"],
      ["pac", "pac"],
    ]);
  });

  it("refuses a bad chunk size or a reversed range", () => {
    for (const size of [0, -1, 1.5, Number.NaN, MAX_CHUNK_SIZE + 1]) {
      expect(() => chunkPartitions(daily, 19_723, 19_730, size)).toThrow(InvalidPartitionError);
    }
    expect(() => chunkPartitions(daily, day("2024-01-05"), day("2024-01-01"), 1)).toThrow(
      "partition range 2024-01-05 … 2024-01-01 is reversed",
    );
  });
});
