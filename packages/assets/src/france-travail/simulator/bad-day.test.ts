import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FranceTravailClient } from "../client";
import { collectDay } from "../collect-day";
import type { FranceTravailOffer } from "../offer";
import { parisDayWindow } from "../paris-time";
import { UNKNOWN_COMMUNE, UNKNOWN_ROME_CODE } from "./bad-day";
import { badDay } from "./options";
import { type RunningSimulator, startSimulator } from "./server";

const GOOD = "2024-07-31";
const BAD = "2024-08-01";

let sim: RunningSimulator;
let plain: RunningSimulator;
let dataDir: string;

beforeAll(async () => {
  const options = { seed: 5, offersPerDay: () => 1000, rateLimitPerSecond: 0 };
  sim = await startSimulator({
    ...options,
    faults: {
      badDays: [
        badDay(BAD, {
          volumeRatio: 0.5,
          duplicateRatio: 0.1,
          outsideDayRatio: 0.05,
          unknownCodeRatio: 0.2,
        }),
      ],
    },
  });
  plain = await startSimulator(options);
  dataDir = await mkdtemp(path.join(tmpdir(), "lignee-bad-day-"));
});

afterAll(async () => {
  await sim.close();
  await plain.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("a bad day of the simulator", () => {
  it("leaves the other days as they are", () => {
    expect(sim.offerJson(GOOD)).toEqual(plain.offerJson(GOOD));
  });

  it("collapses the volume, borrows ids of the day before, dates offers outside the day and sends unknown codes", () => {
    const offers = sim.offers(BAD);
    expect(offers).toHaveLength(500);
    const ids = offers.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    const before = new Set(sim.offerIds(GOOD));
    const borrowed = ids.filter((id) => before.has(id));
    expect(borrowed.length).toBeGreaterThan(25);
    expect(borrowed.length).toBeLessThan(80);
    const { start, end } = parisDayWindow(BAD);
    const outside = offers.filter((o: FranceTravailOffer) => {
      const t = Date.parse(o.dateCreation);
      return t < start.getTime() || t >= end.getTime();
    });
    expect(outside.length).toBeGreaterThan(8);
    expect(outside.length).toBeLessThan(50);
    const unknown = offers.filter((o) => o.romeCode === UNKNOWN_ROME_CODE);
    expect(unknown.length).toBeGreaterThan(60);
    const located = unknown.filter((o) => o.lieuTravail?.commune !== undefined);
    expect(located.length).toBeGreaterThan(0);
    expect(new Set(located.map((o) => o.lieuTravail?.commune))).toEqual(new Set([UNKNOWN_COMMUNE]));
  });

  it("is collected whole: every call answers normally, only the data is wrong", async () => {
    const client = new FranceTravailClient({ config: sim.clientConfig() });
    const stats = await collectDay(BAD, { dataDir, client });
    expect(stats.offers).toBe(500);
    const lines = (await readFile(stats.file, "utf8")).trim().split("\n");
    expect(new Set(lines.map((l) => (JSON.parse(l) as { id: string }).id))).toEqual(
      new Set(sim.offerIds(BAD)),
    );
  });

  it("refuses a ratio outside [0, 1] or an invalid day, naming it", async () => {
    await expect(
      startSimulator({ faults: { badDays: [badDay(BAD, { duplicateRatio: 1.5 })] } }),
    ).rejects.toThrow(`bad day ${BAD}: duplicateRatio must be between 0 and 1 (got 1.5)`);
    await expect(startSimulator({ faults: { badDays: [badDay("2024-02-30")] } })).rejects.toThrow(
      /Invalid day "2024-02-30"/,
    );
  });
});
