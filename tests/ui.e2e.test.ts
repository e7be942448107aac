import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PostgresAutomationStore } from "@lignee/engine";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  assertUiBuilt,
  dragAcross,
  launchChromium,
  saveScreenshot,
  watchPage,
} from "./support/browser";
import { lignee, startLigneeDev, type DevServer } from "./support/cli";
import { createTestDatabase } from "./support/database";

/**
 * The UI in a real Chromium over `lignee dev` (real PostgreSQL, real dbt, the France Travail
 * simulator): the lineage, an asset's partition health bar, a run launched by dragging across
 * two days, its live log, and the statuses that follow; the automation page; a backfill launched
 * from the health bar and followed to completion — then the API token prompt.
 */

/** Calendar days in Europe/Paris, the partitions' timezone: D(1) is yesterday there. */
const TODAY = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
}).format(new Date());
const D = (n: number): string => {
  const day = new Date(`${TODAY}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - n);
  return day.toISOString().slice(0, 10);
};

type RunStatus = "QUEUED" | "STARTED" | "SUCCESS" | "FAILURE" | "CANCELED";

let env: Record<string, string>;
let dev: DevServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let watched: ReturnType<typeof watchPage>;

const node = (key: string) => page.locator(`[data-testid=asset-node][data-asset-key="${key}"]`);
const api = async <T>(route: string): Promise<T> => {
  const res = await fetch(`${dev.url}${route}`);
  expect(res.status, route).toBe(200);
  return (await res.json()) as T;
};

beforeAll(async () => {
  assertUiBuilt();
  env = {
    DATABASE_URL: await createTestDatabase({ migrate: false }),
    LIGNEE_DATA_DIR: await mkdtemp(path.join(tmpdir(), "lignee-ui-")),
    LIGNEE_SIMULATOR_OFFERS_PER_WEEKDAY: "200",
    LIGNEE_SIMULATOR_RATE_LIMIT: "0",
    FRANCE_TRAVAIL_RATE_LIMIT: "0",
    LIGNEE_SIRENE_SYNTHETIC_ROWS: "2000",
    FRANCE_TRAVAIL_CLIENT_ID: "",
    FRANCE_TRAVAIL_CLIENT_SECRET: "",
    LIGNEE_API_TOKEN: "",
    LIGNEE_UI_DIR: "",
  };
  // Reference data, three days of offers and every dbt model, as a user would through the CLI.
  const populated = await lignee(
    ["materialize", "--select", "*", "--from", D(3), "--to", D(1)],
    env,
  );
  expect(populated.code, populated.stderr).toBe(0);
  // The server's collector is paced (calls/s) so that the run below lasts long enough to watch
  // its log stream in.
  [dev, browser] = await Promise.all([
    startLigneeDev([], { ...env, FRANCE_TRAVAIL_RATE_LIMIT: "2" }),
    launchChromium(),
  ]);
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  watched = watchPage(page);
}, 180_000);

// What the page showed when a test failed, next to the steps' screenshots.
afterEach(async ({ task }) => {
  if (task.result?.state !== "fail" || !page || page.isClosed()) return;
  const name = task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
  await saveScreenshot(page, `ui-failed-${name}`).catch(() => undefined);
});

afterAll(async () => {
  try {
    await context?.close();
    await browser?.close();
    if (dev) expect(await dev.stop(), dev.output()).toBe(0);
  } finally {
    if (env?.LIGNEE_DATA_DIR) await rm(env.LIGNEE_DATA_DIR, { recursive: true, force: true });
  }
});

describe("the UI over lignee dev", () => {
  it("runs two days of raw/offres chosen on the health bar, streams its log, and shows the downstream stale", async () => {
    const graph = await api<{ nodes: { key: string; group: string }[] }>("/api/assets");
    const groups = [...new Set(graph.nodes.map((n) => n.group))];

    // 1. The lineage: every asset and every group box.
    await page.goto(`${dev.url}/`);
    await page.locator("[data-testid=lineage][data-ready=true]").waitFor();
    // A marker that a reload would wipe: everything below is client-side navigation.
    await page.evaluate("window.__sameDocument = true");
    await saveScreenshot(page, "ui-1-lineage");
    await expect
      .poll(() => page.locator("[data-testid=asset-node]").count())
      .toBe(graph.nodes.length);
    for (const group of groups) {
      expect(await page.locator(`[data-testid=group-lane][data-group="${group}"]`).count()).toBe(1);
    }
    await expect.poll(() => node("raw/offres").getAttribute("data-status")).toBe("FRESH");
    expect(await node("raw/offres").textContent()).toContain("3 fresh");
    await expect
      .poll(() => node("emploi/fait_offre_emploi").getAttribute("data-status"))
      .toBe("FRESH");

    // 2. raw/offres: last 30 days, drag from D-2 to D-1.
    await node("raw/offres").locator("a.asset-link").click();
    await page.locator('[data-testid=asset-page][data-asset-key="raw/offres"]').waitFor();
    expect(new URL(page.url()).pathname).toBe("/assets/raw/offres");
    await page.getByTestId("health-window-30").click();
    const bar = page.getByTestId("health-bar");
    await expect.poll(() => bar.getAttribute("data-to")).toBe(D(1));
    await expect.poll(() => bar.getAttribute("data-from")).toBe(D(30));
    expect(await page.locator("[data-testid=health-segment]").count()).toBe(30);
    const cell = (day: string) =>
      page.locator(`[data-testid=health-segment][data-partition="${day}"]`);
    expect(await cell(D(3)).getAttribute("data-status")).toBe("FRESH");
    expect(await cell(D(4)).getAttribute("data-status")).toBe("MISSING");
    await dragAcross(page, cell(D(2)), cell(D(1)));
    await expect
      .poll(() => page.getByTestId("health-selection").textContent())
      .toBe(`2 partitions: ${D(2)} → ${D(1)}`);
    await saveScreenshot(page, "ui-2-asset-range-selected");

    // 3. Launch; the run page follows the log while the run goes on.
    await page.evaluate(RECORD_RUN_PAGE);
    await page.getByTestId("materialize-range").click();
    await page.waitForURL(/\/runs\/[^/]+$/);
    const runId = new URL(page.url()).pathname.split("/").pop()!;
    await page.locator(`[data-testid=run-page][data-run-id="${runId}"]`).waitFor();
    await page
      .locator("[data-testid=run-status][data-run-status=SUCCESS]")
      .waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.locator("[data-testid=log-line][data-type=RUN_SUCCESS]").count())
      .toBe(1);
    await saveScreenshot(page, "ui-3-run-success");
    // Launched from the UI, through the API.
    expect(await page.getByTestId("launched-by").getAttribute("data-launch-kind")).toBe("api");
    const samples = (await page.evaluate("window.__runPageSamples")) as {
      lines: number;
      status: string | null;
    }[];
    // Log lines were on screen before the run had ended, and arrived in more than one batch
    // (a day's step's lines, then the next's: with two quick days, two batches may be all).
    const whileRunning = samples.filter(
      (s) => s.lines > 0 && (s.status === "QUEUED" || s.status === "STARTED"),
    );
    expect(whileRunning.length, JSON.stringify(samples)).toBeGreaterThan(0);
    expect(
      new Set(samples.map((s) => s.lines).filter((n) => n > 0)).size,
      JSON.stringify(samples),
    ).toBeGreaterThan(1);
    expect(
      await page.locator("[data-testid=log-line][data-type=STEP_SUCCESS]").count(),
    ).toBeGreaterThanOrEqual(2);
    expect(await page.locator("[data-testid=step-row]").count()).toBeGreaterThanOrEqual(2);

    // Exactly D-2..D-1 of raw/offres, nothing else.
    const { run, steps } = await api<{
      run: { status: string; selection: string; assetKeys: string[]; partitionSpec: unknown };
      steps: { assetKeys: string[]; partitionKey: string | null; status: string }[];
    }>(`/api/runs/${runId}`);
    expect(run).toMatchObject({
      status: "SUCCESS",
      selection: "raw/offres",
      assetKeys: ["raw/offres"],
      partitionSpec: { kind: "range", from: D(2), to: D(1) },
    });
    const byDay = [...steps].sort((a, b) =>
      (a.partitionKey ?? "").localeCompare(b.partitionKey ?? ""),
    );
    expect(byDay.map((s) => [s.assetKeys, s.partitionKey, s.status])).toEqual([
      [["raw/offres"], D(2), "SUCCESS"],
      [["raw/offres"], D(1), "SUCCESS"],
    ]);

    // 4. Back to the lineage (client navigation): raw/offres fresh, its downstream stale on
    // exactly the two days, as the status polling brings it.
    await page.locator("header a.tab", { hasText: "Lineage" }).click();
    await page.locator("[data-testid=lineage][data-ready=true]").waitFor();
    await expect
      .poll(() => node("emploi/fait_offre_emploi").getAttribute("data-status"), { timeout: 10_000 })
      .toBe("STALE");
    const fait = await node("emploi/fait_offre_emploi").textContent();
    expect(fait).toContain("1 fresh");
    expect(fait).toContain("2 stale");
    expect(await node("raw/offres").getAttribute("data-status")).toBe("FRESH");
    expect(await node("raw/offres").textContent()).toContain("3 fresh");
    await saveScreenshot(page, "ui-4-lineage-downstream-stale");

    await node("emploi/fait_offre_emploi").locator("a.asset-link").click();
    const causes = page.getByTestId("stale-causes");
    await causes.waitFor();
    expect(await causes.textContent()).toContain(
      `upstream raw/offres has newer data — 2 partitions: ${D(2)} … ${D(1)}`,
    );
    await page.getByTestId("health-window-30").click();
    for (const [day, status] of [
      [D(3), "FRESH"],
      [D(2), "STALE"],
      [D(1), "STALE"],
    ] as const) {
      expect(await cell(day).getAttribute("data-status"), day).toBe(status);
    }
    await saveScreenshot(page, "ui-5-downstream-stale-causes");

    // And raw/offres's own page: the two days fresh, from the run's two new materialisations.
    await page.getByTestId("upstream").getByText("raw/offres", { exact: true }).click();
    await page.locator('[data-testid=asset-page][data-asset-key="raw/offres"]').waitFor();
    const materializations = page.getByTestId("materializations");
    await expect.poll(() => materializations.locator(`a[href="/runs/${runId}"]`).count()).toBe(2);
    await page.getByTestId("health-window-30").click();
    for (const day of [D(3), D(2), D(1)]) {
      expect(await cell(day).getAttribute("data-status"), day).toBe("FRESH");
    }

    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    expect(watched.errors).toEqual([]);
  }, 120_000);

  it("materialises a stale asset selected on the lineage with Materialise stale", async () => {
    // Reloading raw/naf makes the unpartitioned model emploi/dim_naf stale.
    const naf = await lignee(["materialize", "--select", "raw/naf"], env);
    expect(naf.code, naf.stderr).toBe(0);

    await page.goto(`${dev.url}/`);
    await page.locator("[data-testid=lineage][data-ready=true]").waitFor();
    await expect.poll(() => node("emploi/dim_naf").getAttribute("data-status")).toBe("STALE");
    expect(await page.getByTestId("materialize-stale").isDisabled()).toBe(true);
    // A click on the node (not on its link) selects it.
    await node("emploi/dim_naf").locator(".asset-node-meta").click();
    await expect.poll(() => page.getByTestId("selection-count").textContent()).toBe("1 selected");
    await expect
      .poll(() => page.getByTestId("materialize-stale").textContent())
      .toBe("Materialise stale (1 partition)");
    await saveScreenshot(page, "ui-6-stale-selected");
    await page.getByTestId("materialize-stale").click();
    await page.waitForURL(/\/runs\/[^/]+$/);
    const runId = new URL(page.url()).pathname.split("/").pop()!;
    await page
      .locator("[data-testid=run-status][data-run-status=SUCCESS]")
      .waitFor({ timeout: 60_000 });
    await saveScreenshot(page, "ui-7-stale-run-success");
    const { run } = await api<{ run: { selection: string; partitionSpec: unknown } }>(
      `/api/runs/${runId}`,
    );
    expect(run).toMatchObject({ selection: "emploi/dim_naf", partitionSpec: { kind: "stale" } });

    await page.locator("header a.tab", { hasText: "Lineage" }).click();
    await expect
      .poll(() => node("emploi/dim_naf").getAttribute("data-status"), { timeout: 10_000 })
      .toBe("FRESH");
    expect(watched.errors).toEqual([]);
  }, 90_000);

  it("lists the daily schedule, switches it off and on, and shows its ticks", async () => {
    type Overview = {
      schedules: { name: string; enabled: boolean; nextTickAt: string | null }[];
      sensors: { name: string }[];
      eager: { assets: { key: string }[] };
    };
    const schedule = () =>
      api<Overview>("/api/automation").then((a) =>
        a.schedules.find((s) => s.name === "offres_quotidiennes"),
      );
    const before = await api<Overview>("/api/automation");
    const nextTickAt = before.schedules.find((s) => s.name === "offres_quotidiennes")?.nextTickAt;
    expect(nextTickAt).toBeTruthy();
    // Two ticks as the scheduler records them (`lignee dev` runs none): the last one launched a
    // run, the one before failed.
    const { runs } = await api<{ runs: { id: string }[] }>("/api/runs?limit=1");
    const tickRunId = runs[0]!.id;
    const store = PostgresAutomationStore.connect(env.DATABASE_URL!);
    try {
      await store.insertScheduleTicks([
        {
          schedule: "offres_quotidiennes",
          scheduledAt: new Date(Date.parse(nextTickAt!) - 86_400_000),
          status: "SUCCESS",
          runId: tickRunId,
        },
        {
          schedule: "offres_quotidiennes",
          scheduledAt: new Date(Date.parse(nextTickAt!) - 2 * 86_400_000),
          status: "FAILURE",
          runId: null,
          error: "the France Travail API answered 503",
        },
      ]);
    } finally {
      await store.close();
    }

    await page.locator("header a.tab", { hasText: "Automation" }).click();
    await page.getByTestId("automation-page").waitFor();
    const row = page.locator("[data-testid=automation-row][data-name=offres_quotidiennes]");
    await row.waitFor();
    expect(await row.getAttribute("data-kind")).toBe("schedule");
    expect(await row.getAttribute("data-enabled")).toBe("true");
    expect(
      await page.locator("[data-testid=automation-row][data-name=offres_fichiers]").count(),
    ).toBe(1);
    expect(await page.locator("[data-testid=automation-row][data-kind=eager]").count()).toBe(
      before.eager.assets.length,
    );
    // The next tick: 01:00 in Paris, within the next day, shown in the schedule's timezone.
    const next = (await row.locator("[data-next-tick]").getAttribute("data-next-tick"))!;
    expect(next).toBe(nextTickAt);
    const paris = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Paris",
      hour: "2-digit",
      minute: "2-digit",
    });
    expect(paris.format(new Date(next))).toBe("01:00");
    expect(Date.parse(next) - Date.now()).toBeGreaterThan(0);
    expect(Date.parse(next) - Date.now()).toBeLessThanOrEqual(86_400_000);
    const nextText = await row.getByTestId("automation-next-tick").textContent();
    expect(nextText).toContain("01:00");
    expect(nextText).toContain("Europe/Paris");
    expect(await row.getByTestId("automation-last-tick").textContent()).toContain("success");
    await saveScreenshot(page, "ui-automation-1-schedule");

    // Off, then on again: the switch, the row and the API agree.
    await row.getByTestId("automation-toggle").click();
    await expect.poll(() => row.getAttribute("data-enabled")).toBe("false");
    await expect.poll(() => schedule().then((s) => s?.enabled)).toBe(false);
    expect((await schedule())?.nextTickAt).toBeNull();
    await expect.poll(() => row.getByTestId("automation-next-tick").textContent()).toBe("off");
    expect(await row.getByTestId("automation-toggle").getAttribute("aria-checked")).toBe("false");
    await saveScreenshot(page, "ui-automation-2-off");
    await row.getByTestId("automation-toggle").click();
    await expect.poll(() => row.getAttribute("data-enabled")).toBe("true");
    await expect.poll(() => schedule().then((s) => s?.enabled)).toBe(true);
    expect((await schedule())?.nextTickAt).toBeTruthy();
    await expect.poll(() => row.locator("[data-next-tick]").count()).toBe(1);

    // The schedule's tick history, newest first, with the run it launched and the error.
    await row.locator("td").nth(1).click();
    await expect.poll(() => new URL(page.url()).search).toBe("?schedule=offres_quotidiennes");
    const ticks = page.getByTestId("tick-row");
    await expect.poll(() => ticks.count()).toBe(2);
    expect(await ticks.nth(0).getAttribute("data-status")).toBe("SUCCESS");
    expect(await ticks.nth(1).getAttribute("data-status")).toBe("FAILURE");
    expect(await ticks.nth(1).textContent()).toContain("the France Travail API answered 503");
    await saveScreenshot(page, "ui-automation-3-ticks");
    await ticks.nth(0).locator(`a[href="/runs/${tickRunId}"]`).click();
    await page.locator(`[data-testid=run-page][data-run-id="${tickRunId}"]`).waitFor();
    expect(watched.errors).toEqual([]);
  }, 60_000);

  it("backfills three days of raw/offres chosen on the health bar, one run each, to completion", async () => {
    const cell = (day: string) =>
      page.locator(`[data-testid=health-segment][data-partition="${day}"]`);
    await page.goto(`${dev.url}/assets/raw/offres`);
    await page.locator('[data-testid=asset-page][data-asset-key="raw/offres"]').waitFor();
    await page.getByTestId("health-window-30").click();
    expect(await cell(D(7)).getAttribute("data-status")).toBe("MISSING");
    await dragAcross(page, cell(D(7)), cell(D(5)));
    await expect
      .poll(() => page.getByTestId("health-selection").textContent())
      .toBe(`3 partitions: ${D(7)} → ${D(5)}`);

    await page.getByTestId("backfill-button").click();
    const dialog = page.getByTestId("backfill-dialog");
    await dialog.waitFor();
    expect(await page.getByTestId("backfill-chunk-size").inputValue()).toBe("10");
    await page.getByTestId("backfill-chunk-size").fill("1");
    await expect
      .poll(() => page.getByTestId("backfill-summary").textContent())
      .toContain("3 runs of raw/offres");
    await saveScreenshot(page, "ui-backfill-1-dialog");
    await page.evaluate(RECORD_BACKFILL_PAGE);
    await page.getByTestId("launch-backfill").click();
    await page.waitForURL(/\/backfills\/[^/]+$/);
    const backfillId = new URL(page.url()).pathname.split("/").pop()!;
    await page.locator(`[data-testid=backfill-page][data-backfill-id="${backfillId}"]`).waitFor();
    await page
      .locator("[data-testid=backfill-status][data-status=COMPLETED]")
      .waitFor({ timeout: 45_000 });
    const progress = page.locator("[data-testid=backfill-page] [data-testid=backfill-progress]");
    expect(await progress.getAttribute("data-done")).toBe("3");
    expect(await progress.getAttribute("data-total")).toBe("3");
    expect(await page.getByTestId("cancel-backfill").count()).toBe(0);
    await saveScreenshot(page, "ui-backfill-2-completed");
    // The page followed the backfill as it went: not yet done, with Cancel offered, then done.
    const samples = (await page.evaluate("window.__backfillPageSamples")) as {
      status: string | null;
      done: string | null;
      total: string | null;
      cancel: boolean;
    }[];
    expect(
      samples.some((s) => s.status !== "COMPLETED" && s.done !== "3" && s.cancel),
      JSON.stringify(samples),
    ).toBe(true);
    expect(samples.at(-1)).toMatchObject({ status: "COMPLETED", done: "3", total: "3" });

    const runRows = page.getByTestId("backfill-run");
    expect(await runRows.count()).toBe(3);
    for (const [i, day] of [D(7), D(6), D(5)].entries()) {
      expect(await runRows.nth(i).getAttribute("data-status")).toBe("SUCCESS");
      expect(await runRows.nth(i).locator("td").nth(3).textContent()).toContain(day);
    }
    const { backfill, runs } = await api<{
      backfill: {
        status: string;
        selection: string;
        chunkSize: number;
        progress: { runs: Record<RunStatus, number> };
      };
      runs: { id: string; from: string; to: string; status: string }[];
    }>(`/api/backfills/${backfillId}`);
    expect(backfill).toMatchObject({ status: "COMPLETED", selection: "raw/offres", chunkSize: 1 });
    expect(backfill.progress.runs.SUCCESS).toBe(3);
    expect(runs.map((r) => [r.from, r.to, r.status])).toEqual([
      [D(7), D(7), "SUCCESS"],
      [D(6), D(6), "SUCCESS"],
      [D(5), D(5), "SUCCESS"],
    ]);

    // A chunk's run links back to its backfill.
    await runRows.nth(0).locator(`a[href="/runs/${runs[0]!.id}"]`).click();
    await page.locator(`[data-testid=run-page][data-run-id="${runs[0]!.id}"]`).waitFor();
    expect(
      await page.locator(`[data-testid=launched-by] a[href="/backfills/${backfillId}"]`).count(),
    ).toBe(1);

    // The list of backfills.
    await page.locator("header a.tab", { hasText: "Backfills" }).click();
    const listed = page.locator(
      `[data-testid=backfills-table] [data-testid=backfill-row][data-backfill-id="${backfillId}"]`,
    );
    await listed.waitFor();
    expect(await listed.getAttribute("data-status")).toBe("COMPLETED");
    await saveScreenshot(page, "ui-backfill-3-list");

    // The runs list says what launched each run: the backfill's chunks, the earlier API runs.
    await page.locator("header a.tab", { hasText: "Runs" }).click();
    const chunkRow = page.locator(`[data-testid=run-row][data-run-id="${runs[0]!.id}"]`);
    await chunkRow.waitFor();
    expect(
      await chunkRow.locator("[data-testid=launched-by]").getAttribute("data-launch-kind"),
    ).toBe("backfill");
    expect(
      await page.locator("[data-testid=run-row] [data-launch-kind=api]").count(),
    ).toBeGreaterThan(0);
    await saveScreenshot(page, "ui-runs-launched-by");

    // In the "All" window (hundreds of partitions, a fraction of a pixel each) the one missing
    // day left between the backfilled days and the others is still drawn, 2 px wide.
    await page.goto(`${dev.url}/assets/raw/offres`);
    // (The bar opens on the recent days that were materialised; "All" is one click away.)
    await page.getByTestId("health-window-all").click();
    const lone = page.locator(
      `[data-testid=health-segment][data-partition="${D(4)}"][data-status=MISSING]`,
    );
    await lone.waitFor();
    expect(await page.getByTestId("health-bar").getAttribute("class")).toContain("compressed");
    expect((await lone.boundingBox())!.width).toBeGreaterThanOrEqual(2);

    // A larger backfill: 30 days of collection, more than raw/offres starts without asking
    // (7), so a dialog asks to confirm first; then cancelled from its page while its runs go on.
    await page.getByTestId("health-window-90").click();
    await dragAcross(page, cell(D(40)), cell(D(11)));
    await expect
      .poll(() => page.getByTestId("health-selection").textContent())
      .toBe(`30 partitions: ${D(40)} → ${D(11)}`);
    await page.getByTestId("backfill-button").click();
    await page.getByTestId("backfill-chunk-size").fill("1");
    await page.getByTestId("launch-backfill").click();
    const confirm = page.getByTestId("launch-confirm");
    await confirm.waitFor();
    expect(await page.getByTestId("launch-confirm-title").textContent()).toBe(
      "Materialise 30 partitions of raw/offres?",
    );
    expect(await confirm.textContent()).toContain(
      "30 partitions of raw/offres, more than the 7 it may materialise at once without confirmation",
    );
    expect(await api<{ backfills: unknown[] }>("/api/backfills")).toMatchObject({
      backfills: [expect.anything()],
    });
    await saveScreenshot(page, "ui-backfill-4-confirm");
    await page.getByTestId("launch-confirm-start").click();
    await page.waitForURL(/\/backfills\/[^/]+$/);
    const large = new URL(page.url()).pathname.split("/").pop()!;
    expect(large).not.toBe(backfillId);
    await page.getByTestId("cancel-backfill").click();
    await page.locator("[data-testid=backfill-status][data-status=CANCELED]").waitFor();
    await expect.poll(() => page.getByTestId("cancel-backfill").count()).toBe(0);
    const canceled = () =>
      api<{ backfill: { status: string; progress: { runs: Record<RunStatus, number> } } }>(
        `/api/backfills/${large}`,
      ).then((d) => d.backfill);
    // Nothing of it keeps running once its started runs have stopped.
    await expect
      .poll(() => canceled().then((b) => b.progress.runs.STARTED + b.progress.runs.QUEUED), {
        timeout: 20_000,
      })
      .toBe(0);
    const { status, progress: ended } = await canceled();
    expect(status).toBe("CANCELED");
    expect(ended.runs.CANCELED).toBeGreaterThan(0);
    // The page follows the stopping run to its end.
    await page
      .locator("[data-testid=backfill-page] [data-testid=backfill-progress][data-running='0']")
      .waitFor({ timeout: 10_000 });
    await saveScreenshot(page, "ui-backfill-4-canceled");
    expect(watched.errors).toEqual([]);
  }, 90_000);
});

describe("the UI with LIGNEE_API_TOKEN", () => {
  it("asks for the token once, refuses a wrong one and shows the lineage with the right one", async () => {
    const token = "s3cret-token-for-the-ui";
    const secured = await startLigneeDev(
      ["--definitions", "packages/engine/src/examples/example-definitions.ts"],
      {
        DATABASE_URL: await createTestDatabase({ migrate: false }),
        LIGNEE_API_TOKEN: token,
        LIGNEE_UI_DIR: "",
      },
    );
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const p = await ctx.newPage();
      const problems = watchPage(p);
      await p.goto(`${secured.url}/`);
      const form = p.getByTestId("token-form");
      await form.waitFor();
      await saveScreenshot(p, "ui-8-token-asked");
      expect(await p.getByTestId("lineage").count()).toBe(0);

      await form.locator("input[type=password]").fill("not-the-token");
      const refused = p.waitForResponse(
        (r) =>
          r.url().startsWith(`${secured.url}/api/`) &&
          r.request().headers().authorization === "Bearer not-the-token" &&
          r.status() === 401,
      );
      await form.locator("button[type=submit]").click();
      // Refused: the server answers 401 to the wrong token, the form says so with an empty
      // field, no lineage.
      await refused;
      await form.waitFor();
      await p.getByTestId("token-refused").waitFor();
      expect(await p.getByTestId("token-refused").textContent()).toBe("That token was refused");
      expect(await form.locator("input[type=password]").inputValue()).toBe("");
      expect(await p.getByTestId("lineage").count()).toBe(0);

      await form.locator("input[type=password]").fill(token);
      await form.locator("button[type=submit]").click();
      await p.locator("[data-testid=lineage][data-ready=true]").waitFor();
      expect(await p.getByTestId("token-form").count()).toBe(0);
      expect(await p.locator("[data-testid=asset-node]").count()).toBeGreaterThan(0);
      await saveScreenshot(p, "ui-9-token-accepted");
      // Kept for the session: a reload does not ask again.
      await p.reload();
      await p.locator("[data-testid=lineage][data-ready=true]").waitFor();
      expect(await p.getByTestId("token-form").count()).toBe(0);
      expect(problems.errors).toEqual([]);
    } finally {
      await ctx.close();
      expect(await secured.stop(), secured.output()).toBe(0);
    }
  }, 60_000);
});

/**
 * Installed in the page before a run is launched: samples, on every DOM change, how many log
 * lines the run page shows and the run status it displays.
 */
const RECORD_RUN_PAGE = `(() => {
  window.__runPageSamples = [];
  const sample = () => {
    const status = document.querySelector("[data-testid=run-status]");
    const lines = document.querySelectorAll("[data-testid=log-line]").length;
    const last = window.__runPageSamples.at(-1);
    const s = { lines, status: status ? status.getAttribute("data-run-status") : null };
    if (!last || last.lines !== s.lines || last.status !== s.status) window.__runPageSamples.push(s);
  };
  new MutationObserver(sample).observe(document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["data-run-status"],
  });
})()`;

/**
 * Installed in the page before a backfill is launched: samples, on every DOM change, the status
 * and progress the backfill page shows and whether it offers Cancel.
 */
const RECORD_BACKFILL_PAGE = `(() => {
  window.__backfillPageSamples = [];
  const sample = () => {
    const page = document.querySelector("[data-testid=backfill-page]");
    if (!page) return;
    const status = page.querySelector("[data-testid=backfill-status]");
    const progress = page.querySelector("[data-testid=backfill-progress]");
    const s = {
      status: status ? status.getAttribute("data-status") : null,
      done: progress ? progress.getAttribute("data-done") : null,
      total: progress ? progress.getAttribute("data-total") : null,
      cancel: page.querySelector("[data-testid=cancel-backfill]") !== null,
    };
    const last = window.__backfillPageSamples.at(-1);
    if (!last || JSON.stringify(last) !== JSON.stringify(s)) window.__backfillPageSamples.push(s);
  };
  new MutationObserver(sample).observe(document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["data-status", "data-done", "data-total"],
  });
})()`;
