import path from "node:path";
import {
  AssetDetailBody,
  defineAsset,
  Definitions,
  loadDbtAssets,
  type AssetDefinition,
  type PostgresStorage,
} from "@lignee/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dragAcross, saveScreenshot, type Page } from "./support/browser";
import { REPO_ROOT } from "./support/cli";
import { day, seedMaterialization, seedRun } from "./support/seed-partitions";
import { openUiBrowser, startUiServer, type UiBrowser, type UiServer } from "./support/ui-server";

/**
 * The asset page in a real Chromium, over `createServer` and a store seeded without running
 * anything (cheap: no dbt build, only `dbt parse` for the models' columns and SQL): a partition
 * clicked on the health bar or in the table opens its detail (run, metadata, checks, causes,
 * history), dragging still selects a range, Escape closes dialogs, the health bar opens on the
 * days that were materialised, and a dbt model shows its columns and SQL.
 */
let server: UiServer;
let ui: UiBrowser;
let page: Page;
let watched: UiBrowser["watched"];
let firstRun: string;
let secondRun: string;

const D = (n: number) => day(n).key;

/** The platform assets the models read (sources), as stubs: nothing here materialises them. */
function sourceStubs(models: readonly AssetDefinition<unknown>[]): AssetDefinition<unknown>[] {
  const modelKeys = new Set(models.map((m) => m.key));
  const partitionsOf = new Map<string, AssetDefinition<unknown>["partitions"]>();
  for (const m of models) {
    for (const d of m.deps) {
      if (modelKeys.has(d.asset) || partitionsOf.get(d.asset)) continue;
      partitionsOf.set(d.asset, m.partitions);
    }
  }
  return [...partitionsOf].map(([key, partitions]) =>
    defineAsset<unknown>({
      key,
      group: "collecte",
      ...(partitions ? { partitions } : {}),
      materialize: async () => undefined,
    }),
  );
}

/** The dbt models and the sources they read, as stubs (only `dbt parse` runs). */
async function definitionsFor(databaseUrl: string): Promise<Definitions<unknown>> {
  const models = await loadDbtAssets<unknown>({
    projectDir: path.join(REPO_ROOT, "dbt"),
    executable: path.join(REPO_ROOT, ".lignee", "venv", "bin", "dbt"),
    connectionUrl: () => databaseUrl,
  });
  return Definitions.create<unknown>({
    assets: [...sourceStubs(models), ...models],
  }) as Definitions<unknown>;
}

async function seed(storage: PostgresStorage, definitions: Definitions<unknown>): Promise<void> {
  // raw/offres (daily since 2024-05-23): the last seven days but D4; D2 twice, with checks;
  // D5 by an older code version (stale).
  firstRun = await seedRun(storage, ["raw/offres"], { trigger: "schedule" });
  secondRun = await seedRun(storage, ["raw/offres"], { trigger: "manual" });
  const offres = { runId: firstRun, assetKey: "raw/offres" } as const;
  await seedMaterialization(storage, definitions, {
    ...offres,
    partitions: [day(7), day(6), day(3), day(2), day(1)],
    metadata: { rows: 50_171, file: "offres.ndjson", duration_ms: 8_200 },
  });
  await seedMaterialization(storage, definitions, {
    ...offres,
    partitions: [day(5)],
    metadata: { rows: 48_002 },
    codeVersion: "0ld",
  });
  await seedMaterialization(storage, definitions, {
    ...offres,
    runId: secondRun,
    partitions: [day(2)],
    metadata: { rows: 51_020, file: "offres.ndjson", duration_ms: 7_900 },
  });
  for (const [checkName, passed] of [
    ["offres_non_vides", true],
    ["ids_uniques", false],
  ] as const) {
    await storage.recordCheckResult({
      runId: secondRun,
      assetKey: "raw/offres",
      partitionKey: D(2),
      checkName,
      passed,
      severity: passed ? "error" : "warn",
      description: passed ? "51,020 offers" : "12 duplicate ids",
    });
  }
}

beforeAll(async () => {
  [server, ui] = await Promise.all([
    startUiServer({ definitions: definitionsFor, seed }),
    openUiBrowser({ width: 1440, height: 900 }),
  ]);
  ({ page, watched } = ui);
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await server?.stop();
});

const cell = (key: string) => page.locator(`[data-testid=health-segment][data-partition="${key}"]`);
const detail = () => page.getByTestId("partition-detail");

async function openAsset(key: string): Promise<void> {
  await page.goto(`${server.url}/assets/${key}`);
  await page.locator(`[data-testid=asset-page][data-asset-key="${key}"]`).waitFor();
}

describe("the asset page", () => {
  it("opens the health bar on a window where the materialised days show", async () => {
    await openAsset("raw/offres");
    const bar = page.getByTestId("health-bar");
    await expect.poll(() => bar.getAttribute("data-to")).toBe(D(1));
    expect(await bar.getAttribute("data-from")).toBe(D(7));
    expect(await page.getByTestId("health-window-7").getAttribute("class")).toContain("active");
    expect(await page.locator("[data-testid=health-segment]").count()).toBe(7);
    expect(await cell(D(4)).getAttribute("data-status")).toBe("MISSING");
    expect(await cell(D(5)).getAttribute("data-status")).toBe("STALE");
    await saveScreenshot(page, "asset-health-window");
    // The other windows are a click away.
    await page.getByTestId("health-window-all").click();
    await expect.poll(() => bar.getAttribute("data-from")).toBe("2024-05-23");
  });

  it("opens a partition clicked on the health bar: its run, metadata, checks and history; Escape closes it", async () => {
    await openAsset("raw/offres");
    await cell(D(2)).click();
    await detail().waitFor();
    expect(await page.getByTestId("partition-detail-key").textContent()).toBe(D(2));
    expect(await detail().locator("[data-status]").first().getAttribute("data-status")).toBe(
      "FRESH",
    );
    const runLink = page.getByTestId("partition-run-link");
    expect(await runLink.getAttribute("href")).toBe(`/runs/${secondRun}`);
    expect(await page.getByTestId("partition-latest").textContent()).toContain("trigger=manual");
    const metadata = page.getByTestId("partition-metadata");
    expect(await metadata.locator("tr[data-key=rows] td").textContent()).toBe("51,020");
    expect(await metadata.locator("tr[data-key=file] td").textContent()).toBe("offres.ndjson");
    const checks = page.getByTestId("partition-checks");
    expect(await checks.locator("tr[data-check=ids_uniques]").getAttribute("data-passed")).toBe(
      "false",
    );
    expect(await checks.locator("tr[data-check=ids_uniques]").textContent()).toContain(
      "12 duplicate ids",
    );
    expect(
      await checks.locator("tr[data-check=offres_non_vides]").getAttribute("data-passed"),
    ).toBe("true");
    expect(await page.locator("[data-testid=partition-history] tbody tr").count()).toBe(2);
    // A click opens, it does not select.
    expect(await page.getByTestId("health-selection").textContent()).toBe("No partitions selected");
    await saveScreenshot(page, "asset-partition-detail");

    await page.keyboard.press("Escape");
    await expect.poll(() => detail().count()).toBe(0);

    // The run that made it, one click away.
    await cell(D(2)).click();
    await page.getByTestId("partition-run-link").click();
    await page.locator(`[data-testid=run-page][data-run-id="${secondRun}"]`).waitFor();
    await expect.poll(() => detail().count()).toBe(0);
  });

  it("says why a stale partition is stale, and opens partitions from the table too", async () => {
    await openAsset("raw/offres");
    await cell(D(5)).click();
    await detail().waitFor();
    await expect
      .poll(() => page.getByTestId("partition-causes").textContent())
      .toMatch(/code version/i);
    await saveScreenshot(page, "asset-partition-detail-stale");
    await page.getByTestId("partition-detail-close").click();
    await expect.poll(() => detail().count()).toBe(0);

    await page
      .locator(`[data-testid=open-partition][data-partition="${D(3)}"]`)
      .first()
      .click();
    await expect.poll(() => page.getByTestId("partition-detail-key").textContent()).toBe(D(3));
    expect(await page.getByTestId("partition-run-link").getAttribute("href")).toBe(
      `/runs/${firstRun}`,
    );
    await page.keyboard.press("Escape");
    await expect.poll(() => detail().count()).toBe(0);

    // A partition never materialised says so.
    await cell(D(4)).click();
    await page.getByTestId("partition-never").waitFor();
    await page.keyboard.press("Escape");
    await expect.poll(() => detail().count()).toBe(0);
  });

  it("still selects a range by dragging, and Escape closes the backfill dialog", async () => {
    await openAsset("raw/offres");
    await dragAcross(page, cell(D(3)), cell(D(1)));
    await expect
      .poll(() => page.getByTestId("health-selection").textContent())
      .toBe(`3 partitions: ${D(3)} → ${D(1)}`);
    expect(await detail().count()).toBe(0);

    await page.getByTestId("backfill-button").click();
    await page.getByTestId("backfill-dialog").waitFor();
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByTestId("backfill-dialog").count()).toBe(0);
    // The selection survives the dialog.
    expect(await page.getByTestId("health-selection").textContent()).toBe(
      `3 partitions: ${D(3)} → ${D(1)}`,
    );
  });

  it("shows a dbt model's columns with their descriptions, and its SQL", async () => {
    const res = await fetch(`${server.url}/api/assets/emploi/fait_offre_emploi`);
    const fait = AssetDetailBody.parse(await res.json());
    expect(fait.columns.length).toBeGreaterThan(20);
    expect(fait.columns.filter((c) => !c.description).map((c) => c.name)).toEqual([]);
    expect(fait.code?.raw).toContain("source('raw', 'offres')");

    await openAsset("emploi/dim_naf");
    const columns = page.getByTestId("model-columns");
    await columns.waitFor();
    expect(await columns.locator("tr[data-column=code_naf]").textContent()).toContain(
      "Sous-classe",
    );
    expect(await columns.locator("tbody tr").count()).toBe(10);
    const sql = page.getByTestId("model-sql");
    expect(await sql.textContent()).toMatch(/\bselect\b/i);
    expect(await sql.textContent()).toContain("source(");
    await page.getByTestId("model-panel").scrollIntoViewIfNeeded();
    await saveScreenshot(page, "asset-dbt-model-panel");
  });

  it("raised no error in the page", () => {
    expect(watched.errors).toEqual([]);
  });
});
