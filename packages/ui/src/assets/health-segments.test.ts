import type { AssetStatus } from "../api/types";
import { describe, expect, it } from "vitest";
import { indexAt, MAX_CELLS, partitionStatuses, segmentsOf, waitingFlags } from "./health-segments";

const days = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10),
  );

describe("partition health bar model", () => {
  const keys = days(1_000);
  const statuses = partitionStatuses(keys, {
    FRESH: [["2024-01-01", "2026-09-20"]],
    STALE: [["2024-03-01", "2024-03-02"]],
    FAILED: [["2026-09-26", "2026-09-26"]],
  });

  it("reads every partition's status from the ranges; partitions in no range are missing", () => {
    expect(statuses[0]).toBe("FRESH");
    expect(statuses[keys.indexOf("2024-03-02")]).toBe("STALE");
    expect(statuses[keys.indexOf("2026-09-25")]).toBe("MISSING");
    expect(statuses[keys.indexOf("2026-09-26")]).toBe("FAILED");
  });

  it("marks the partitions waiting on upstream apart from other missing ones", () => {
    const waiting = waitingFlags(keys, [["2026-09-21", "2026-09-23"]]);
    expect(waiting.filter(Boolean)).toHaveLength(3);
    const cells = segmentsOf(statuses, { start: 990, end: 1_000 }, waiting);
    const byKey = new Map(cells.map((c) => [keys[c.from], c]));
    expect(byKey.get("2026-09-22")).toMatchObject({ status: "MISSING", waiting: true });
    expect(byKey.get("2026-09-25")).toMatchObject({ status: "MISSING", waiting: false });
    // In a compressed window, waiting and other missing partitions are separate segments.
    const runs = segmentsOf(statuses, { start: 0, end: 1_000 }, waiting);
    const missing = runs.filter((r) => r.status === "MISSING");
    expect(missing.map((r) => [keys[r.from], keys[r.to], r.waiting])).toEqual([
      ["2026-09-21", "2026-09-23", true],
      ["2026-09-24", "2026-09-25", false],
    ]);
  });

  it("draws one cell per partition in small windows", () => {
    const cells = segmentsOf(statuses, { start: 970, end: 1_000 });
    expect(cells).toHaveLength(30);
    expect(cells.every((c) => c.from === c.to)).toBe(true);
  });

  it("compresses runs of equal status in large windows and covers every partition once", () => {
    const segments = segmentsOf(statuses, { start: 0, end: 1_000 });
    expect(segments.length).toBeLessThan(10);
    expect(segments[0]).toEqual({
      from: 0,
      to: keys.indexOf("2024-02-29"),
      status: "FRESH",
      waiting: false,
    });
    let next = 0;
    for (const s of segments) {
      expect(s.from).toBe(next);
      next = s.to + 1;
    }
    expect(next).toBe(1_000);
  });

  it("falls back to buckets marked mixed when statuses alternate", () => {
    const alternating = Array.from({ length: 5_000 }, (_, i): AssetStatus =>
      i % 2 ? "FRESH" : "STALE",
    );
    const segments = segmentsOf(alternating, { start: 0, end: 5_000 });
    expect(segments.length).toBeLessThanOrEqual(400);
    expect(segments.every((s) => s.status === "MIXED")).toBe(true);
    expect(segments.at(-1)!.to).toBe(4_999);
  });

  it("maps a position on the bar to the partition under it", () => {
    expect(indexAt(0, { start: 10, end: 20 })).toBe(10);
    expect(indexAt(0.55, { start: 10, end: 20 })).toBe(15);
    expect(indexAt(1, { start: 10, end: 20 })).toBe(19);
    expect(MAX_CELLS).toBeGreaterThan(60);
  });
});
