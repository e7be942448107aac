import { describe, expect, it } from "vitest";
import type { AssetStatus } from "../api/types";
import { initialWindow } from "./health-window";

/** `n` partitions, missing but for the given indices counted from the end (1 = the latest). */
function bar(n: number, fromEnd: readonly number[], status: AssetStatus = "FRESH"): AssetStatus[] {
  const out = new Array<AssetStatus>(n).fill("MISSING");
  for (const k of fromEnd) out[n - k] = status;
  return out;
}

describe("the health bar's initial window", () => {
  it("opens on the smallest window that holds the recently materialised days", () => {
    expect(initialWindow(bar(1_000, [1, 2, 3]))).toBe(7);
    expect(initialWindow(bar(1_000, [1, 7]))).toBe(7);
    expect(initialWindow(bar(1_000, [2, 8], "STALE"))).toBe(30);
    expect(initialWindow(bar(1_000, [60, 1], "FAILED"))).toBe(90);
    expect(initialWindow(bar(1_000, [300]))).toBe(365);
  });

  it("opens on All when the asset has few partitions, or none materialised", () => {
    expect(initialWindow(bar(100, [1]))).toBe(Infinity);
    expect(initialWindow(bar(1_000, []))).toBe(Infinity);
  });

  it("opens on All when the materialised days fill a good part of it", () => {
    const spread = bar(
      1_000,
      Array.from({ length: 200 }, (_, i) => 1 + i * 4),
    );
    expect(initialWindow(spread)).toBe(Infinity);
  });

  it("never on a sliver: old days and a few recent ones open on the recent ones with context", () => {
    expect(initialWindow(bar(1_000, [900, 899, 898, 3, 2, 1]))).toBe(7);
    expect(initialWindow(bar(1_000, [900, 20]))).toBe(90);
  });
});
