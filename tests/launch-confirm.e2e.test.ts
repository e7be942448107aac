import {
  dailyPartitions,
  defineAsset,
  Definitions,
  partitionBounds,
  partitionKey,
  type PostgresStorage,
} from "@lignee/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveScreenshot, type Page } from "./support/browser";
import { openUiBrowser, startUiServer, type UiBrowser, type UiServer } from "./support/ui-server";

/**
 * The asset page's headline and the launch confirmation dialog in a real Chromium, over a
 * server from `createServer` and a store seeded through the storage interface (no dbt): three
 * days of offers collected out of a few hundred, a model built for every day (empty where the
 * offers are missing), and measured step durations for the estimate.
 */

const START = "2024-06-01";
const daily = dailyPartitions({ start: START });
const noop = async (): Promise<void> => undefined;
const definitions = Definitions.create({
  assets: [
    defineAsset({ key: "raw/offres", partitions: daily, confirmAbove: 7, materialize: noop }),
    defineAsset({
      key: "emploi/fait_offre_emploi",
      deps: ["raw/offres"],
      partitions: daily,
      codeVersion: "2",
      materialize: noop,
    }),
  ],
}) as Definitions<unknown>;

let server: UiServer;
let ui: UiBrowser;
let page: Page;
let watched: UiBrowser["watched"];
let total: number;

async function seed(storage: PostgresStorage): Promise<void> {
  const { first, last } = partitionBounds(daily, new Date());
  total = last - first + 1;
  const runId = "00000000-0000-4000-8000-000000000001";
  await storage.createRun({
    id: runId,
    status: "SUCCESS",
    selection: "*",
    assetKeys: ["raw/offres", "emploi/fait_offre_emploi"],
    partitionSpec: null,
    hostname: "test",
    pid: process.pid,
  });
  const record = async (assetKey: string, from: number, codeVersion: string) => {
    const indices = Array.from({ length: last - from + 1 }, (_, i) => from + i);
    await storage.recordMaterialization({
      runId,
      assetKey,
      codeVersion,
      depsSignature: definitions.depsSignature(assetKey),
      partitions: indices.map((i) => ({
        key: partitionKey(daily, i),
        index: i,
        dataVersion: `${assetKey}:${i}`,
        inputVersions: {},
      })),
      metadata: { row_count: 100 },
      invalidates: [],
      readSince: { watermark: 0, upstream: [] },
    });
  };
  // The last three days of offers; the model built for every day with its previous code.
  await record("raw/offres", last - 2, "1");
  await record("emploi/fait_offre_emploi", first, "1");
  // Five measured steps of the model, 30 s a day each; none of raw/offres.
  await storage.appendEvents(
    runId,
    Array.from({ length: 5 }, () => ({
      type: "STEP_SUCCESS" as const,
      level: "info" as const,
      message: "Succeeded",
      stepKey: "emploi/fait_offre_emploi",
      assetKey: "emploi/fait_offre_emploi",
      data: { durationMs: 30_000, partitionCount: 1, assetKeys: ["emploi/fait_offre_emploi"] },
      timestamp: new Date(),
    })),
  );
}

beforeAll(async () => {
  [server, ui] = await Promise.all([
    startUiServer({ definitions, seed }),
    openUiBrowser({ width: 1280, height: 900 }),
  ]);
  ({ page, watched } = ui);
}, 60_000);

afterAll(async () => {
  await ui?.close();
  await server?.stop();
});

const assetPage = async (key: string): Promise<void> => {
  await page.goto(`${server.url}/assets/${key}`);
  await page.locator(`[data-testid=asset-page][data-asset-key="${key}"]`).waitFor();
};

describe("asset headline and launch confirmation", () => {
  it("a partitioned asset's headline is its health, in the colour of what needs action", async () => {
    await assetPage("raw/offres");
    const headline = page.getByTestId("asset-health");
    expect(await headline.textContent()).toBe(`3 / ${total} materialised · 0 stale · 0 failed`);
    expect(await headline.getAttribute("data-worst")).toBe("MISSING");
    await saveScreenshot(page, "launch-confirm-1-headline-raw-offres");

    await assetPage("emploi/fait_offre_emploi");
    expect(await page.getByTestId("asset-health").textContent()).toBe(
      `3 / ${total} materialised · 3 stale · 0 failed · ${total - 3} waiting on upstream`,
    );
    expect(await page.getByTestId("asset-health").getAttribute("data-worst")).toBe("STALE");
    // Only the three days whose offers exist can be rebuilt.
    expect(await page.getByTestId("materialize-asset-stale").textContent()).toBe(
      "Materialise stale (3 partitions)",
    );
    const causes = await page.getByTestId("stale-causes").textContent();
    expect(causes).toContain(
      `upstream raw/offres[${START}, 2024-06-02, 2024-06-03] and ${total - 6} more are missing`,
    );
    // The code change makes stale only the days that can be rebuilt.
    expect(causes).toContain("code version changed (1 → 2) — 3 partitions");
    // On the health bar, the days waiting on upstream are hatched apart from the stale ones.
    const waitingCells = page.locator("[data-testid=health-segment][data-waiting=true]");
    await expect.poll(() => waitingCells.count()).toBe(4);
    for (const status of await waitingCells.evaluateAll((cells) =>
      cells.map((c) => c.getAttribute("data-status")),
    ))
      expect(status).toBe("MISSING");
    // …and drawn so: striped over the missing colour.
    expect(await waitingCells.first().evaluate((c) => getComputedStyle(c).backgroundImage)).toMatch(
      /repeating-linear-gradient/,
    );
    expect(
      await page
        .locator("[data-testid=health-segment][data-status=STALE]:not([data-waiting])")
        .count(),
    ).toBe(3);
    await saveScreenshot(page, "launch-confirm-2-headline-waiting");
  });

  it("a large launch asks first, with the partition count and an estimate; Escape and Cancel start nothing", async () => {
    await assetPage("emploi/fait_offre_emploi");
    await page.getByTestId("materialize-with-upstream").click();
    const dialog = page.getByTestId("launch-confirm");
    await dialog.waitFor();
    expect(await page.getByTestId("launch-confirm-title").textContent()).toBe(
      `Materialise ${(2 * total - 3).toLocaleString("en-US")} partitions of raw/offres and emploi/fait_offre_emploi?`,
    );
    const estimate = await page.getByTestId("launch-confirm-estimate").textContent();
    // 30 s a day over every day of the model; raw/offres was never measured.
    expect(estimate).toBe(
      `About ${formatHours(30 * total)} (from the last 5 runs). Not counted, never measured yet: raw/offres.`,
    );
    expect(await dialog.textContent()).toContain(
      `${(total - 3).toLocaleString("en-US")} partitions of raw/offres, more than the 7 it may materialise at once without confirmation`,
    );
    await saveScreenshot(page, "launch-confirm-3-dialog");

    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await page.getByTestId("materialize-with-upstream").click();
    await dialog.waitFor();
    await page.getByTestId("launch-confirm-cancel").click();
    await dialog.waitFor({ state: "detached" });
    expect((await server.storage.listRuns({ limit: 10 })).map((r) => r.id)).toEqual([
      "00000000-0000-4000-8000-000000000001",
    ]);
  });

  it("a small launch starts at once, without a dialog", async () => {
    await assetPage("emploi/fait_offre_emploi");
    await page.getByTestId("materialize-asset-stale").click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const runs = await server.storage.listRuns({ limit: 10 });
    expect(runs).toHaveLength(2);
    expect(runs[0]?.partitionSpec).toEqual({ kind: "stale" });
    expect(watched.errors).toEqual([]);
  });
});

/** As the dialog words it: `4 h 38 min`. */
function formatHours(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return m > 0 ? `${h} h ${m} min` : `${h} h`;
}
