import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertUiBuilt, launchChromium, saveScreenshot, watchPage } from "./support/browser";
import { lignee, startLigneeDev, type DevServer } from "./support/cli";
import { createTestDatabase } from "./support/database";

/**
 * The UI in a real Chromium over `lignee dev` (real PostgreSQL, real dbt, the France Travail
 * simulator): the lineage, an asset's partition health bar, a run launched by dragging across
 * two days, its live log, and the statuses that follow — then the API token prompt.
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
    const from = (await cell(D(2)).boundingBox())!;
    const to = (await cell(D(1)).boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect
      .poll(() => page.getByTestId("health-selection").textContent())
      .toBe(`2 partitions: ${D(2)} → ${D(1)}`);
    await saveScreenshot(page, "ui-2-asset-range-selected");

    // 3. Launch; the run page follows the log while the run goes on.
    await page.evaluate(RECORD_RUN_PAGE);
    await page.getByTestId("materialise-range").click();
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
    const samples = (await page.evaluate("window.__runPageSamples")) as {
      lines: number;
      status: string | null;
    }[];
    // Log lines were on screen before the run had ended, and arrived in several batches.
    const whileRunning = samples.filter(
      (s) => s.lines > 0 && (s.status === "QUEUED" || s.status === "STARTED"),
    );
    expect(whileRunning.length, JSON.stringify(samples)).toBeGreaterThan(0);
    expect(new Set(samples.map((s) => s.lines).filter((n) => n > 0)).size).toBeGreaterThan(2);
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
    expect(await page.getByTestId("materialise-stale").isDisabled()).toBe(true);
    // A click on the node (not on its link) selects it.
    await node("emploi/dim_naf").locator(".asset-node-meta").click();
    await expect.poll(() => page.getByTestId("selection-count").textContent()).toBe("1 selected");
    await expect
      .poll(() => page.getByTestId("materialise-stale").textContent())
      .toBe("Materialise stale (1)");
    await saveScreenshot(page, "ui-6-stale-selected");
    await page.getByTestId("materialise-stale").click();
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
      // Refused: the server answers 401 to the wrong token, the form stays, no lineage.
      await refused;
      await form.waitFor();
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
