import {
  dailyPartitions,
  defineAsset,
  defineCheck,
  Definitions,
  type PostgresStorage,
} from "@lignee/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveScreenshot, type Page } from "./support/browser";
import { day, seedMaterialization, seedRun } from "./support/seed-partitions";
import { openUiBrowser, startUiServer, type UiBrowser, type UiServer } from "./support/ui-server";

/**
 * The Checks section of the asset page in a real Chromium, over `createServer` and a store
 * seeded without running anything: each check with its severity, switch and per-partition grid;
 * switching a check off and on; the downstream asset showing the hold; "Run check" on a failed
 * day evaluating it in a run that materialises nothing, after which the day passes.
 */
let server: UiServer;
let ui: UiBrowser;
let page: Page;

const D = (n: number) => day(n).key;
/** The days the check fails on; emptied to make the re-run pass. */
const failing = new Set<string>([D(3)]);
let materialized = 0;

const definitions = Definitions.create<unknown>({
  assets: [
    defineAsset({
      key: "raw/jours",
      partitions: dailyPartitions({ start: "2024-01-01" }),
      materialize: async () => {
        materialized++;
      },
    }),
    defineAsset({
      key: "mart/resume",
      partitions: dailyPartitions({ start: "2024-01-01" }),
      deps: ["raw/jours"],
      materialize: async () => undefined,
    }),
  ],
  checks: [
    defineCheck({
      asset: "raw/jours",
      name: "rows_positive",
      severity: "error",
      description: "every day has at least one row",
      async evaluate(ctx) {
        const fails = failing.has(ctx.partitionKey ?? "");
        return {
          passed: !fails,
          description: fails ? "0 rows" : "1,204 rows",
          metadata: { rows: fails ? 0 : 1204 },
        };
      },
    }),
  ],
}) as Definitions<unknown>;

async function seed(storage: PostgresStorage, defs: Definitions<unknown>): Promise<void> {
  const runId = await seedRun(storage, ["raw/jours"]);
  const days = [5, 4, 3, 2, 1].map((n) => day(n));
  await seedMaterialization(storage, defs, { runId, assetKey: "raw/jours", partitions: days });
  await storage.recordCheckResults(
    days.map((d) => ({
      runId,
      assetKey: "raw/jours",
      checkName: "rows_positive",
      partitionKey: d.key,
      partitionIndex: d.index,
      passed: !failing.has(d.key),
      severity: "error" as const,
      description: failing.has(d.key) ? "0 rows" : "1,204 rows",
      metadata: { rows: failing.has(d.key) ? 0 : 1204 },
      durationMs: 4,
    })),
  );
}

beforeAll(async () => {
  [server, ui] = await Promise.all([
    startUiServer({ definitions, seed }),
    openUiBrowser({ width: 1280, height: 900 }),
  ]);
  ({ page } = ui);
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await server?.stop();
});

const card = () => page.locator(`[data-testid=check-card][data-check=rows_positive]`);

async function openAsset(key: string): Promise<void> {
  await page.goto(`${server.url}/assets/${key}`);
  await page.locator(`[data-testid=asset-page][data-asset-key="${key}"]`).waitFor();
}

describe("the Checks section", () => {
  it("shows each check with its severity, latest result and a grid of partitions", async () => {
    await openAsset("raw/jours");
    await card().waitFor();
    expect(await card().locator(".badge.severity-error").textContent()).toBe("error");
    expect(await card().getByTestId("check-cell").count()).toBe(5);
    const failed = card().locator("[data-testid=check-cell][data-passed=false]");
    expect(await failed.getAttribute("data-partition")).toBe(D(3));
    expect(await card().getByTestId("check-latest").textContent()).toContain(
      "4 partitions passed, 1 failed",
    );
    await page.getByTestId("checks-section").scrollIntoViewIfNeeded();
    await saveScreenshot(page, "checks-section");
  });

  it("shows the hold on the downstream asset", async () => {
    await openAsset("mart/resume");
    await expect
      .poll(() => page.getByTestId("stale-causes").textContent())
      .toContain(`blocked by failed check raw/jours:rows_positive on partition ${D(3)}`);
    // "Materialise stale" does not count the held day: a stale request leaves it out.
    expect(await page.getByTestId("materialize-asset-stale").textContent()).toBe(
      "Materialise stale (4 partitions)",
    );
    await saveScreenshot(page, "checks-downstream-held");
  });

  it("switches a check off and on", async () => {
    await openAsset("raw/jours");
    await card().getByTestId("check-toggle").click();
    await expect.poll(() => card().getAttribute("data-enabled")).toBe("false");
    await expect
      .poll(async () => (await server.storage.checkSwitches("raw/jours"))[0]?.enabled)
      .toBe(false);
    await saveScreenshot(page, "checks-switched-off");
    // Off, the failed day holds nothing downstream.
    const resume = await (await fetch(`${server.url}/api/assets/mart/resume`)).json();
    expect(JSON.stringify(resume.causes)).not.toContain("blocked by failed check");
    await card().getByTestId("check-toggle").click();
    await expect.poll(() => card().getAttribute("data-enabled")).toBe("true");
    await expect
      .poll(async () => (await server.storage.checkSwitches("raw/jours"))[0]?.enabled)
      .toBe(true);
  });

  it("runs the check on a chosen day without materialising, and the day passes", async () => {
    failing.clear();
    await card()
      .locator(`[data-testid=check-cell][data-partition="${D(3)}"]`)
      .click();
    await expect.poll(() => card().getByTestId("check-metadata").textContent()).toContain("rows0");
    const run = card().getByTestId("run-check");
    expect(await run.textContent()).toBe(`Run check on ${D(3)}`);
    await run.click();
    await page.waitForURL(/\/runs\/[0-9a-f-]+$/);
    await expect
      .poll(
        async () =>
          (await server.storage.latestCheckResults("raw/jours", D(3)))[0]?.passed ?? false,
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(materialized).toBe(0);
    await openAsset("raw/jours");
    await expect
      .poll(() => card().locator("[data-testid=check-cell][data-passed=false]").count())
      .toBe(0);
    await card()
      .locator(`[data-testid=check-cell][data-partition="${D(3)}"]`)
      .click();
    await expect
      .poll(() => card().getByTestId("check-history").locator("tbody tr").count())
      .toBe(2);
    await page.getByTestId("checks-section").scrollIntoViewIfNeeded();
    await saveScreenshot(page, "checks-after-run");
  });
});
