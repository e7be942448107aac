import {
  AssetDetailBody,
  dailyPartitions,
  defineAsset,
  Definitions,
  multiPartitions,
  staticPartitions,
  type PostgresStorage,
} from "@lignee/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveScreenshot, type Page } from "./support/browser";
import { day, seedMaterialization, seedRun } from "./support/seed-partitions";
import { openUiBrowser, startUiServer, type UiBrowser, type UiServer } from "./support/ui-server";

/**
 * A two-dimensional asset (day × région) on the asset page in a real Chromium: its health is a
 * grid, days along x and régions along y, each cell coloured by its partition's status; a
 * cell clicked opens that partition.
 */
const REGIONS = ["11", "32", "44", "84", "93"];
const D = (n: number) => day(n).key;
const start = D(20);
const definitions = Definitions.create({
  assets: [
    defineAsset({
      key: "raw/days",
      partitions: dailyPartitions({ start }),
      materialize: async () => undefined,
    }),
    defineAsset({
      key: "regions/days",
      deps: ["raw/days"],
      partitions: multiPartitions({
        date: dailyPartitions({ start }),
        region: staticPartitions(REGIONS),
      }),
      materialize: async () => undefined,
    }),
  ],
}) as Definitions<unknown>;

/** The partition (day n, région r) as a key and an index. */
const cellOf = (n: number, region: string) => ({
  key: `${D(n)}|${region}`,
  index: day(n).index * REGIONS.length + REGIONS.indexOf(region),
});

async function seed(storage: PostgresStorage, defs: Definitions<unknown>): Promise<void> {
  const runId = await seedRun(storage, ["raw/days", "regions/days"]);
  // Days 1–10 collected but day 4; their régions built for days 2–10 but (6, 84); (3, 93) by an
  // older code version.
  await seedMaterialization(storage, defs, {
    runId,
    assetKey: "raw/days",
    partitions: [1, 2, 3, 5, 6, 7, 8, 9, 10].map((n) => day(n)),
  });
  const cells = [2, 3, 5, 6, 7, 8, 9, 10]
    .flatMap((n) => REGIONS.map((r) => [n, r] as const))
    .filter(([n, r]) => !(n === 6 && r === "84") && !(n === 3 && r === "93"))
    .map(([n, r]) => cellOf(n, r));
  await seedMaterialization(storage, defs, { runId, assetKey: "regions/days", partitions: cells });
  await seedMaterialization(storage, defs, {
    runId,
    assetKey: "regions/days",
    partitions: [cellOf(3, "93")],
    codeVersion: "0ld",
  });
}

let server: UiServer;
let ui: UiBrowser;
let page: Page;

beforeAll(async () => {
  [server, ui] = await Promise.all([
    startUiServer({ definitions, seed }),
    openUiBrowser({ width: 1280, height: 800 }),
  ]);
  page = ui.page;
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await server?.stop();
});

const cell = (key: string) => page.locator(`[data-testid=health-cell][data-partition="${key}"]`);

describe("the health of a two-dimensional asset", () => {
  it("is a grid of days × régions, coloured by status", async () => {
    await page.goto(`${server.url}/assets/regions/days`);
    await page.getByTestId("health-grid").waitFor();
    expect(await page.getByTestId("health-bar").count()).toBe(0);
    // 20 days (start … yesterday) × 5 régions.
    expect(await page.getByTestId("health-cell").count()).toBe(20 * 5);
    // Row by row: the first row is région 11, from the first day to yesterday.
    const firstRow = await page
      .getByTestId("health-cell")
      .evaluateAll((cells) => cells.slice(0, 20).map((c) => c.getAttribute("data-partition")));
    expect(firstRow[0]).toBe(`${D(20)}|11`);
    expect(firstRow[19]).toBe(`${D(1)}|11`);
    expect(await cell(`${D(5)}|84`).getAttribute("data-status")).toBe("FRESH");
    expect(await cell(`${D(6)}|84`).getAttribute("data-status")).toBe("MISSING");
    expect(await cell(`${D(3)}|93`).getAttribute("data-status")).toBe("STALE");
    // Day 4 was never collected: its régions wait on it (hatched).
    expect(await cell(`${D(4)}|44`).getAttribute("class")).toContain("waiting");
    await saveScreenshot(page, "health-grid");
  });

  it("is sent as its periods and its static keys, not every partition key", async () => {
    const res = await fetch(`${server.url}/api/assets/regions/days`);
    const body = AssetDetailBody.parse(await res.json());
    expect(body.partitionKeys).toEqual([]);
    expect(body.total).toBe(20 * 5);
    expect(body.partitionGrid?.staticKeys).toEqual(REGIONS);
    expect(body.partitionGrid?.periodKeys).toHaveLength(20);
    expect(body.partitionGrid?.periodKeys[0]).toBe(D(20));
    expect(body.partitionGrid?.periodKeys.at(-1)).toBe(D(1));
  });

  it("opens the partition of a cell clicked", async () => {
    await cell(`${D(3)}|93`).click();
    await page.getByTestId("partition-detail").waitFor();
    expect(await page.getByTestId("partition-detail-key").textContent()).toBe(`${D(3)}|93`);
    const detail = page.getByTestId("partition-detail");
    await detail.locator("[data-status]").first().waitFor();
    expect(await detail.locator("[data-status]").first().getAttribute("data-status")).toBe("STALE");
    await page.getByTestId("partition-latest").waitFor();
    await saveScreenshot(page, "health-grid-partition");
  });
});
