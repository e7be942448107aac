import { describe, expect, it } from "vitest";
import { IntervalSet } from "./interval-set";

describe("IntervalSet", () => {
  it("normalises overlapping and adjacent ranges", () => {
    const s = IntervalSet.fromRanges([
      [5, 7],
      [0, 2],
      [2, 3],
      [6, 10],
    ]);
    expect(s.toJSON()).toEqual([
      [0, 3],
      [5, 10],
    ]);
    expect(s.size).toBe(8);
  });

  it("subtracts holes and survives multirange round trips", () => {
    const s = IntervalSet.fromRange(0, 10).subtract(IntervalSet.fromIndices([3, 4, 8]));
    expect(s.toJSON()).toEqual([
      [0, 3],
      [5, 8],
      [9, 10],
    ]);
    expect(IntervalSet.fromMultirange(s.toMultirange()).equals(s)).toBe(true);
    expect(IntervalSet.fromMultirange("{}").isEmpty).toBe(true);
  });
});
