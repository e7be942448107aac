import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  computeStatus,
  dailyPartitions,
  defineAsset,
  Definitions,
  executeRun,
  hourlyPartitions,
  monthlyPartitions,
  partitionKeys,
  PostgresStorage,
  prepareRun,
  statusesFor,
  weeklyPartitions,
  type MaterializeRequest,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";
import { inProcess } from "./support/in-process";

/**
 * Hourly, daily, weekly and monthly partitions end to end on real PostgreSQL: a chain
 * hourly → daily → monthly (and weekly, and an unpartitioned total of every hour) in
 * Europe/Paris around the end of summer time, when 2025-10-26 has 25 hours.
 */
const TZ = "Europe/Paris";
const hourly = hourlyPartitions({ start: "2025-10-01", timezone: TZ });
const daily = dailyPartitions({ start: "2025-10-01", timezone: TZ });
const weekly = weeklyPartitions({ start: "2025-09-29", timezone: TZ });
const monthly = monthlyPartitions({ start: "2025-10-01", timezone: TZ });

const windows = new Map<string, { keys: readonly string[]; start: Date; end: Date }>();
const seen =
  (asset: string) =>
  async (ctx: {
    partitionKeys: readonly string[];
    partitionTimeWindow: { start: Date; end: Date } | undefined;
  }): Promise<undefined> => {
    if (ctx.partitionTimeWindow) {
      windows.set(asset, { keys: ctx.partitionKeys, ...ctx.partitionTimeWindow });
    }
    return undefined;
  };

const definitions = Definitions.create({
  assets: [
    defineAsset({
      key: "meter/hours",
      partitions: hourly,
      backfillPolicy: "single-run",
      materialize: seen("meter/hours"),
    }),
    defineAsset({
      key: "meter/days",
      partitions: daily,
      deps: ["meter/hours"],
      backfillPolicy: "single-run",
      materialize: seen("meter/days"),
    }),
    defineAsset({
      key: "meter/weeks",
      partitions: weekly,
      deps: ["meter/days"],
      backfillPolicy: "single-run",
      materialize: seen("meter/weeks"),
    }),
    defineAsset({
      key: "meter/months",
      partitions: monthly,
      deps: ["meter/days"],
      backfillPolicy: "single-run",
      materialize: seen("meter/months"),
    }),
    defineAsset({
      key: "meter/hours-by-month",
      partitions: monthly,
      deps: ["meter/hours"],
      backfillPolicy: "single-run",
      materialize: seen("meter/hours-by-month"),
    }),
    defineAsset({ key: "meter/total", deps: ["meter/hours"], materialize: async () => undefined }),
  ],
}) as Definitions<unknown>;

let storage: PostgresStorage;

beforeAll(async () => {
  storage = PostgresStorage.connect(await createTestDatabase());
});

afterAll(async () => {
  await storage.close();
});

const { materialize, staleKeys } = inProcess(definitions, () => storage);

describe("time partitions of several grains", () => {
  it("materialise a chain hourly → daily → weekly/monthly and track exactly what goes stale", async () => {
    await materialize("meter/hours", {
      kind: "range",
      from: "2025-10-01-00:00",
      to: "2025-10-31-23:00",
    });
    expect(windows.get("meter/hours")?.keys).toHaveLength(31 * 24 + 1);
    await materialize("meter/days", { kind: "range", from: "2025-10-01", to: "2025-10-31" });
    await materialize("meter/weeks", { kind: "range", from: "2025-10-20", to: "2025-10-27" });
    await materialize("meter/months", { kind: "single", key: "2025-10-01" });
    await materialize("meter/hours-by-month", { kind: "single", key: "2025-10-01" });
    await materialize("meter/total", { kind: "none" });
    // What each read: 31 days listed; 745 hours hashed; every hour as the hourly asset's digest.
    const [month] = await storage.listMaterializations("meter/months", { limit: 1 });
    expect(month?.inputVersions["meter/days"]?.split("|")).toHaveLength(31);
    const [hoursMonth] = await storage.listMaterializations("meter/hours-by-month", { limit: 1 });
    expect(hoursMonth?.inputVersions["meter/hours"]).toMatch(/^window:[0-9a-f]{16}:745$/);
    const [total] = await storage.listMaterializations("meter/total", { limit: 1 });
    expect(total?.inputVersions["meter/hours"]).toMatch(/^digest:-?\d+:745$/);
    const status = computeStatus(definitions, await storage.getAssetSummaries(), new Date());
    expect(status.get("meter/days")?.counts.FRESH).toBe(31);
    expect(status.get("meter/months")?.counts.FRESH).toBe(1);
    expect(status.get("meter/total")?.status).toBe("FRESH");
    expect(await staleKeys()).toEqual({
      "meter/hours": [],
      "meter/days": [],
      "meter/weeks": [],
      "meter/months": [],
      "meter/hours-by-month": [],
      "meter/total": [],
    });
    // The month's window: from 2025-10-01 00:00 (+02:00) to 2025-11-01 00:00 (+01:00).
    expect(windows.get("meter/months")).toMatchObject({
      start: new Date("2025-09-30T22:00:00Z"),
      end: new Date("2025-10-31T23:00:00Z"),
    });

    // The second 02:00 of 2025-10-26 is collected again.
    await materialize("meter/hours", { kind: "single", key: "2025-10-26-02:00+01:00" });
    expect(windows.get("meter/hours")).toEqual({
      keys: ["2025-10-26-02:00+01:00"],
      start: new Date("2025-10-26T01:00:00Z"),
      end: new Date("2025-10-26T02:00:00Z"),
    });
    expect(await staleKeys()).toEqual({
      "meter/hours": [],
      "meter/days": ["2025-10-26"],
      "meter/weeks": ["2025-10-20"],
      "meter/months": ["2025-10-01"],
      "meter/hours-by-month": ["2025-10-01"],
      "meter/total": [""],
    });
    const days = computeStatus(definitions, await storage.getAssetSummaries(), new Date()).get(
      "meter/days",
    );
    const newer = days?.causes.filter((c) => c.kind === "upstream-newer") ?? [];
    expect(newer.map((c) => [c.upstream, partitionKeys(daily, c.partitions)])).toEqual([
      ["meter/hours", ["2025-10-26"]],
    ]);

    // What is stale among the days of October: that day alone, in 25 hours.
    const request: MaterializeRequest = {
      selection: "meter/days",
      partitions: { kind: "stale", from: "2025-10-01", to: "2025-10-31" },
    };
    const now = new Date();
    const prepared = prepareRun(
      definitions,
      request,
      now,
      await statusesFor(definitions, storage, request, now),
    );
    expect(prepared.plan.steps.map((s) => s.partitionKeys)).toEqual([["2025-10-26"]]);
    await executeRun({ definitions, storage, prepared });
    const day = windows.get("meter/days")!;
    expect(day.keys).toEqual(["2025-10-26"]);
    expect((day.end.getTime() - day.start.getTime()) / 3_600_000).toBe(25);
    expect(await staleKeys()).toMatchObject({
      "meter/days": [],
      "meter/weeks": ["2025-10-20"],
      "meter/months": ["2025-10-01"],
    });

    await materialize("meter/months", { kind: "single", key: "2025-10-01" });
    await materialize("meter/weeks", { kind: "single", key: "2025-10-20" });
    await materialize("meter/hours-by-month", { kind: "single", key: "2025-10-01" });
    await materialize("meter/total", { kind: "none" });
    expect(Object.values(await staleKeys()).flat()).toEqual([]);
  });

  it("leave downstream periods waiting while an hour they read is missing", async () => {
    const status = computeStatus(definitions, await storage.getAssetSummaries(), new Date());
    const days = status.get("meter/days")!;
    // November's hours were never collected: every November day waits on them.
    expect(partitionKeys(daily, days.waiting)[0]).toBe("2025-11-01");
    expect(days.waiting.has(days.materialized.last!)).toBe(false);
    const months = status.get("meter/months")!;
    expect(partitionKeys(monthly, months.waiting)[0]).toBe("2025-11-01");
  });
});
