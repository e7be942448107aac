import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defineAsset,
  Definitions,
  dynamicPartitions,
  executeRun,
  loadDynamicPartitions,
  prepareRun,
  type PostgresStorage,
} from "@lignee/engine";
import { saveScreenshot, type Page } from "./support/browser";
import { openUiBrowser, startUiServer, type UiBrowser, type UiServer } from "./support/ui-server";

/**
 * Dynamic partitions in a real Chromium: the asset page shows their current keys on the health
 * bar like static ones, in the order they were added, with their statuses; a partition opens
 * from it; a removed key is gone from the bar.
 */
const files = dynamicPartitions({ name: "sirene_files" });
const KEYS = [
  "StockEtablissement_2024-07",
  "StockEtablissement_2024-08",
  "StockUniteLegale_2024-08",
];
let bump = 0;

const definitions = Definitions.create<unknown>({
  assets: [
    defineAsset({
      key: "raw/sirene_files",
      group: "sirene",
      partitions: files,
      materialize: async (ctx) => ({
        dataVersion: `${ctx.partitionKey}:${ctx.partitionKey === KEYS[1] ? bump : 0}`,
        metadata: { rows: 1_000 },
      }),
    }),
    defineAsset({
      key: "clean/sirene_files",
      group: "sirene",
      partitions: files,
      deps: ["raw/sirene_files"],
      materialize: async () => undefined,
    }),
  ],
});

async function materialize(
  storage: PostgresStorage,
  selection: string,
  from: string,
  to: string,
): Promise<void> {
  const loaded = await loadDynamicPartitions(definitions, storage);
  const prepared = prepareRun(
    loaded,
    { selection, partitions: { kind: "range", from, to } },
    new Date(),
  );
  const result = await executeRun({ definitions, storage, prepared });
  expect(result.outcome, result.error).toBe("SUCCESS");
}

let server: UiServer;
let ui: UiBrowser;
let page: Page;

beforeAll(async () => {
  [server, ui] = await Promise.all([
    startUiServer({
      definitions,
      seed: async (storage) => {
        await storage.addDynamicPartitions("sirene_files", [...KEYS, "StockUniteLegale_2024-09"]);
        await materialize(storage, "raw/sirene_files", KEYS[0]!, KEYS[2]!);
        await materialize(storage, "clean/sirene_files", KEYS[0]!, KEYS[1]!);
        bump = 1;
        await materialize(storage, "raw/sirene_files", KEYS[1]!, KEYS[1]!);
      },
    }),
    openUiBrowser({ width: 1280, height: 800 }),
  ]);
  page = ui.page;
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await server?.stop();
});

const cell = (key: string) => page.locator(`[data-testid=health-segment][data-partition="${key}"]`);

async function openAsset(key: string): Promise<void> {
  await page.goto(`${server.url}/assets/${key}`);
  await page.locator(`[data-testid=asset-page][data-asset-key="${key}"]`).waitFor();
}

describe("dynamic partitions on the asset page", () => {
  it("shows every current key on the health bar with its status, and opens one", async () => {
    await openAsset("clean/sirene_files");
    await expect.poll(() => page.locator("[data-testid=health-segment]").count()).toBe(4);
    expect(await cell(KEYS[0]!).getAttribute("data-status")).toBe("FRESH");
    expect(await cell(KEYS[1]!).getAttribute("data-status")).toBe("STALE");
    expect(await cell(KEYS[2]!).getAttribute("data-status")).toBe("MISSING");
    expect(await cell("StockUniteLegale_2024-09").getAttribute("data-status")).toBe("MISSING");
    expect(await page.getByTestId("asset-status-text").textContent()).toMatch(/^4 partitions/);
    expect(await page.getByText("dynamic (sirene_files)").first().isVisible()).toBe(true);
    await saveScreenshot(page, "dynamic-partitions-health-bar");
    await cell(KEYS[1]!).click();
    await page.getByTestId("partition-detail").waitFor();
    expect(await page.getByTestId("partition-detail-key").textContent()).toBe(KEYS[1]);
    await expect
      .poll(() => page.getByTestId("partition-causes").textContent())
      .toMatch(/upstream raw\/sirene_files has newer data/);
    await saveScreenshot(page, "dynamic-partitions-partition-detail");
    expect(ui.watched.errors).toEqual([]);
  });

  it("shows the dynamic assets' partition counts on the lineage graph", async () => {
    await page.goto(server.url);
    const node = page.locator('[data-testid=asset-node][data-asset-key="clean/sirene_files"]');
    await expect
      .poll(() => node.getByTestId("asset-node-counts").textContent())
      .toBe("1 fresh · 1 stale · 2 missing");
    await saveScreenshot(page, "dynamic-partitions-lineage");
    expect(ui.watched.errors).toEqual([]);
  });

  it("leaves a removed key out of the bar", async () => {
    await server.storage.removeDynamicPartitions("sirene_files", ["StockUniteLegale_2024-09"]);
    await openAsset("raw/sirene_files");
    await expect.poll(() => page.locator("[data-testid=health-segment]").count()).toBe(3);
    expect(await cell("StockUniteLegale_2024-09").count()).toBe(0);
    for (const key of KEYS) expect(await cell(key).getAttribute("data-status")).toBe("FRESH");
    await saveScreenshot(page, "dynamic-partitions-removed-key");
    expect(ui.watched.errors).toEqual([]);
  });
});
