import { describe, expect, it } from "vitest";
import { barGeometry, chartSlots } from "./chart-slots";

describe("chartSlots", () => {
  const keys = ["2024-08-01", "2024-08-02", "2024-08-03", "2024-08-04", "2024-08-05"];

  it("places a partition's bar at its key, leaving gaps for partitions without a value", () => {
    expect(chartSlots(["2024-08-02", "2024-08-03", "2024-08-05"], keys)).toEqual({
      count: 4,
      positions: [0, 1, 3],
    });
  });

  it("keeps the points' order when a key is not among the partitions (or there are none)", () => {
    expect(chartSlots(["2024-08-02", "2024-07-31"], keys)).toEqual({
      count: 2,
      positions: [0, 1],
    });
    expect(chartSlots(["a", "b", "c"], undefined)).toEqual({ count: 3, positions: [0, 1, 2] });
  });

  it("has no slots without points", () => {
    expect(chartSlots([], keys)).toEqual({ count: 0, positions: [] });
  });
});

describe("barGeometry", () => {
  it("spreads bars over the whole width, centred in their slots, never wider than 24", () => {
    expect(barGeometry({ count: 4, positions: [0, 3] }, 1000)).toEqual([
      { x: 113, width: 24 },
      { x: 863, width: 24 },
    ]);
    const narrow = barGeometry({ count: 1000, positions: [0, 999] }, 1000);
    expect(narrow[1]!.x).toBeCloseTo(999);
    expect(narrow[1]!.width).toBeCloseTo(1);
  });
});
