import { describe, expect, it } from "vitest";
import { cellKey, periodStatuses, windowStatuses, windowWaiting } from "./grid-cells";

describe("health grid model", () => {
  const axes = { periodKeys: ["d1", "d2", "d3", "d4"], staticKeys: ["a", "b", "c"] };

  it("names cells time-major", () => {
    expect(cellKey(axes, 0)).toBe("d1|a");
    expect(cellKey(axes, 5)).toBe("d2|c");
    expect(cellKey(axes, 11)).toBe("d4|c");
  });

  it("computes the window's cells only, from key ranges across periods", () => {
    const ranges = {
      FRESH: [["d1|b", "d3|a"]] as [string, string][],
      STALE: [["d4|c", "d4|c"]] as [string, string][],
    };
    expect(windowStatuses(axes, ranges, 2, 4)).toEqual([
      "FRESH",
      "MISSING",
      "MISSING",
      "MISSING",
      "MISSING",
      "STALE",
    ]);
    expect(windowWaiting(axes, [["d2|c", "d3|a"]], 1, 2)).toEqual([false, false, true]);
    expect(periodStatuses(axes, ranges)).toEqual(["FRESH", "FRESH", "FRESH", "FRESH"]);
    expect(periodStatuses(axes, { FRESH: [["d2|a", "d2|a"]] })).toEqual([
      "MISSING",
      "FRESH",
      "MISSING",
      "MISSING",
    ]);
    // A range naming a key that no longer exists is skipped.
    expect(windowStatuses(axes, { FRESH: [["d0|a", "d1|a"]] }, 0, 1)).toEqual([
      "MISSING",
      "MISSING",
      "MISSING",
    ]);
  });
});
