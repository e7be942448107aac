import { mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  buildExampleDefinitions,
  Definitions,
  executeRun,
  prepareRun,
  type PostgresStorage,
} from "@lignee/engine";
import type { OperationsResponse } from "@lignee/engine/wire";
import { saveScreenshot, type Page } from "./support/browser";
import {
  createTempDir,
  createUiStore,
  openUiBrowser,
  screenshotOnFailure,
  startUiServer,
  type TempDir,
  type UiBrowser,
  type UiServer,
  type UiStore,
} from "./support/ui-server";

/**
 * The Operations page in a real Chromium, over a server from `createServer` (no queue: the
 * maintenance run executes in the server's process) on a small seeded store: disk use per
 * asset and raw folder, the dry-run preview, and "Run maintenance" compressing the old file.
 */
const DAY_MS = 86_400_000;

let server: UiServer;
let store: UiStore;
let raw: TempDir;
let ui: UiBrowser;
let page: Page;
let watched: UiBrowser["watched"];

const example = buildExampleDefinitions() as Definitions<unknown>;

async function seed(storage: PostgresStorage, databaseUrl: string): Promise<void> {
  const prepared = prepareRun(
    example,
    { selection: "raw/events+", partitions: { kind: "single", key: "2024-06-01" } },
    new Date(),
  );
  expect((await executeRun({ definitions: example, storage, prepared })).outcome).toBe("SUCCESS");
  // Warehouse tables named like two of the assets (schema/table): their sizes are shown.
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    await sql.query(`CREATE SCHEMA raw; CREATE SCHEMA staging;
      CREATE TABLE raw.events AS SELECT g AS id, repeat('x', 200) AS payload FROM generate_series(1, 5000) g;
      CREATE TABLE staging.events_clean AS SELECT g AS id FROM generate_series(1, 100) g;
      ANALYZE raw.events; ANALYZE staging.events_clean;`);
  } finally {
    await sql.end();
  }
}

beforeAll(async () => {
  raw = await createTempDir("lignee-ops-raw-");
  const dir = path.join(raw.path, "events");
  await mkdir(dir);
  const line = '{"id":"1","intitule":"Développeur","lieu":"Lyon"}\n';
  await writeFile(path.join(dir, "events-2024-06-01.ndjson"), line.repeat(20_000));
  await writeFile(path.join(dir, "events-2024-06-20.ndjson"), line.repeat(100));
  const old = new Date(Date.now() - 10 * DAY_MS);
  await utimes(path.join(dir, "events-2024-06-01.ndjson"), old, old);
  const definitions = Definitions.create<unknown>({
    assets: example.assets,
    maintenance: {
      rawFiles: [{ dir, pattern: "events-*.ndjson", compressAfterDays: 7, label: "raw/events" }],
    },
  });
  store = await createUiStore();
  [server, ui] = await Promise.all([
    startUiServer({
      definitions,
      store,
      seed: (storage) => seed(storage, store.databaseUrl),
    }),
    openUiBrowser({ width: 1440, height: 900 }),
  ]);
  ({ page, watched } = ui);
}, 120_000);

afterEach(({ task }) => screenshotOnFailure("operations", page, task));

afterAll(async () => {
  await ui?.close();
  await server?.stop();
  await store?.storage.close();
  await raw?.remove();
});

describe("the Operations page", () => {
  it("shows disk use, previews and runs maintenance, and links to its run", async () => {
    const api = (await (await fetch(`${server.url}/api/operations`)).json()) as OperationsResponse;
    expect(api.maintenance.lastRun).toBeNull();
    expect(api.assets.find((a) => a.assetKey === "raw/events")).toMatchObject({
      table: "raw.events",
      source: "name",
    });

    await page.goto(`${server.url}/operations`);
    await page.getByTestId("operations-page").waitFor();
    await expect
      .poll(() => page.getByTestId("maintenance-last").textContent())
      .toContain("Maintenance has never run");
    const folder = page.locator('[data-testid="operations-raw-folder"][data-folder="raw/events"]');
    expect(await folder.locator("td").allTextContents()).toEqual([
      "raw/events",
      "2",
      expect.stringMatching(/kB|MB/),
      "0",
      "0 B",
      "7 d",
    ]);
    const asset = page.locator('[data-testid="operations-asset"][data-asset="raw/events"]');
    expect(await asset.locator("td").nth(1).textContent()).toBe("raw.events");
    expect(await asset.locator("td").nth(2).textContent()).toMatch(/\d+(\.\d)? (kB|MB)/);
    expect(
      await page
        .locator('[data-testid="operations-asset"][data-asset="marts/summary"] td')
        .nth(1)
        .textContent(),
    ).toBe("unknown");

    await page.getByTestId("maintenance-preview").click();
    const preview = page.getByTestId("maintenance-preview-report");
    await preview.waitFor();
    expect(await preview.textContent()).toContain(
      "raw/events: would compress 1 file older than 7 d",
    );
    await saveScreenshot(page, "operations-preview");
    expect((await readdir(path.join(raw.path, "events"))).sort()).toEqual([
      "events-2024-06-01.ndjson",
      "events-2024-06-20.ndjson",
    ]);

    await page.getByTestId("maintenance-run").click();
    await page.getByTestId("maintenance-started").waitFor();
    const last = page.getByTestId("maintenance-last");
    await expect
      .poll(() => last.locator("[data-status]").getAttribute("data-status"), { timeout: 20_000 })
      .toBe("SUCCESS");
    expect(await last.textContent()).toContain("raw/events: compressed 1 file older than 7 d");
    expect(await last.textContent()).toContain("Audit trail: pruned 0 lines");
    await expect
      .poll(async () => (await folder.locator("td").allTextContents()).slice(1, 5), {
        timeout: 20_000,
      })
      .toEqual(["1", expect.stringMatching(/B$/), "1", expect.stringMatching(/B$/)]);
    expect((await readdir(path.join(raw.path, "events"))).sort()).toEqual([
      "events-2024-06-01.ndjson.gz",
      "events-2024-06-20.ndjson",
    ]);
    await saveScreenshot(page, "operations-after-maintenance");

    // The last maintenance links to its run, whose log holds the report.
    await last.locator("a.mono").click();
    await page.getByText("Run succeeded").first().waitFor();
    await saveScreenshot(page, "operations-maintenance-run");
    expect(watched.errors).toEqual([]);

    const api2 = (await (await fetch(`${server.url}/api/operations`)).json()) as OperationsResponse;
    expect(api2.maintenance.lastRun).toMatchObject({ status: "SUCCESS" });
    expect(api2.maintenance.schedule).toMatchObject({ enabled: true, cron: "0 3 * * *" });

    // The schedule is on the Automation page with the others.
    await page.goto(`${server.url}/operations`);
    await page.getByTestId("maintenance-schedule-link").click();
    const row = page.locator("[data-testid=automation-row][data-name=lignee_maintenance]");
    await row.waitFor();
    expect(await row.getAttribute("data-enabled")).toBe("true");
    await saveScreenshot(page, "operations-maintenance-schedule");

    // Re-executing a maintenance run runs the maintenance job again.
    const runId = api2.maintenance.lastRun!.runId;
    const again = await fetch(`${server.url}/api/runs/${runId}/reexecute`, { method: "POST" });
    expect(again.status).toBe(201);
    const { runId: second } = (await again.json()) as { runId: string };
    await expect
      .poll(async () => (await server.storage.getRun(second))?.status, { timeout: 20_000 })
      .toBe("SUCCESS");
    expect((await server.storage.getRun(second))?.launchedBy).toEqual({
      kind: "reexecution",
      detail: runId,
    });
  });
});
