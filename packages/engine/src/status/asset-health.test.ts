import { describe, expect, it } from "vitest";
import { defineAsset } from "../definitions/asset";
import { Definitions } from "../definitions/definitions";
import { parseDateKey } from "../partitions/calendar";
import { dailyPartitions } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import type { AssetStorageSummary } from "../storage/storage";
import { assetHealth } from "./asset-health";
import { computeStatus } from "./asset-status";

const now = new Date("2024-09-01T12:00:00Z");
const day = (key: string): number => parseDateKey(key)!;
const noop = async (): Promise<void> => undefined;
const daily = dailyPartitions({ start: "2024-08-01" });
const defs = Definitions.create({
  assets: [
    defineAsset({ key: "raw/offres", partitions: daily, materialize: noop }),
    defineAsset({ key: "model", deps: ["raw/offres"], partitions: daily, materialize: noop }),
  ],
}) as Definitions<unknown>;
const summary = (partitions: IntervalSet, parts: Partial<AssetStorageSummary> = {}) => ({
  versions: [{ codeVersion: "1", depsSignature: "", partitions }],
  staleMarks: [],
  failed: IntervalSet.EMPTY,
  running: IntervalSet.EMPTY,
  ...parts,
});
const AUGUST = IntervalSet.fromRange(day("2024-08-01"), day("2024-08-31") + 1);
const LAST3 = IntervalSet.fromRange(day("2024-08-29"), day("2024-08-31") + 1);

describe("assetHealth", () => {
  it("3 of 31 days collected: not fresh, the colour of what is missing", () => {
    const statuses = computeStatus(defs, new Map([["raw/offres", summary(LAST3)]]), now);
    const raw = statuses.get("raw/offres")!;
    // The overall status keeps its meaning (something fresh, nothing stale)…
    expect(raw.status).toBe("FRESH");
    // …the headline tells the truth.
    expect(assetHealth(raw)).toEqual({
      materialized: 3,
      total: 31,
      fresh: 3,
      stale: 0,
      failed: 0,
      missing: 28,
      waiting: 0,
      running: 0,
      worst: "MISSING",
    });
  });

  it("counts the days waiting on upstream, built or not, as missing and waiting", () => {
    const stored = new Map([
      ["raw/offres", summary(LAST3)],
      [
        "model",
        {
          ...summary(AUGUST),
          versions: [{ codeVersion: "1", depsSignature: "raw/offres", partitions: AUGUST }],
        },
      ],
    ]);
    const model = computeStatus(defs, stored, now).get("model")!;
    expect(assetHealth(model)).toMatchObject({
      materialized: 3,
      total: 31,
      missing: 28,
      waiting: 28,
      stale: 0,
      worst: "MISSING",
    });
  });

  it("FAILED beats STALE beats MISSING; everything fresh is FRESH", () => {
    const all = new Map([["raw/offres", summary(AUGUST)]]);
    expect(assetHealth(computeStatus(defs, all, now).get("raw/offres")!).worst).toBe("FRESH");
    const failed = new Map([
      ["raw/offres", summary(AUGUST, { failed: IntervalSet.single(day("2024-08-02")) })],
    ]);
    const h = assetHealth(computeStatus(defs, failed, now).get("raw/offres")!);
    expect([h.worst, h.failed, h.materialized]).toEqual(["FAILED", 1, 30]);
  });
});
