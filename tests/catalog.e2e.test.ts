import { randomUUID } from "node:crypto";
import {
  downstreamPartitionsFor,
  IntervalSet,
  partitionBounds,
  partitionKey,
  type Definitions,
  type Storage,
} from "@lignee/engine";
import type { AssetNode } from "@lignee/engine/wire";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildUiEstate, uiDefinitions } from "../bench/ui-estate";
import { saveScreenshot, type Page } from "./support/browser";
import {
  openUiBrowser,
  screenshotOnFailure,
  startUiServer,
  type UiBrowser,
  type UiServer,
} from "./support/ui-server";

/**
 * The asset catalog, the global search and the dark theme in a real Chromium, over servers from
 * `createServer` on seeded stores (no dbt run): the job-offer demo's definitions with a short
 * history (search, theme screenshots), and the 2,000-asset estate of bench/ui-estate.ts (the
 * catalog's filters, sorting and speed).
 */

/** A run of the demo's history, found in the search by its first 8 characters. */
const RUN_ID = "8898dbe9-5f3c-4c8e-9a57-1b2c3d4e5f60";
const NOW = new Date();

let demo: UiServer;
let estate: UiServer;
let ui: UiBrowser;
let page: Page;
let watched: UiBrowser["watched"];

beforeAll(async () => {
  const demoDefinitions = (await import("@lignee/assets")).default as Definitions<unknown>;
  const estateDefinitions = uiDefinitions(buildUiEstate()) as Definitions<unknown>;
  [demo, estate, ui] = await Promise.all([
    startUiServer({ definitions: demoDefinitions, seed: seedDemo }),
    startUiServer({ definitions: estateDefinitions, seed: seedEstate }),
    openUiBrowser({ width: 1440, height: 900 }),
  ]);
  ({ page, watched } = ui);
}, 120_000);

afterEach(({ task }) => screenshotOnFailure("catalog", page, task));

afterAll(async () => {
  await ui?.close();
  for (const s of [demo, estate]) await s?.stop();
});

const apiNodes = async (s: UiServer): Promise<AssetNode[]> => {
  const res = await fetch(`${s.url}/api/assets`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { nodes: AssetNode[] }).nodes;
};

const catalog = () => page.getByTestId("catalog");
const count = async () => Number(await catalog().getAttribute("data-count"));
/** The keys of the rows drawn, top to bottom (the list is windowed: the first ones only). */
const shownKeys = () =>
  page.locator("[data-testid=catalog-row]").evaluateAll((rows) =>
    rows
      .map((r) => ({ key: r.getAttribute("data-asset-key")!, top: (r as HTMLElement).offsetTop }))
      .sort((a, b) => a.top - b.top)
      .map((r) => r.key),
  );
/** Since navigation: now (the table is ready) and the end of the asset request. */
const READY_TIMES = `({
  ready: Math.round(performance.now()),
  api: Math.round(
    performance.getEntriesByType("resource").find((e) => e.name.endsWith("/api/assets"))
      ?.responseEnd ?? -1,
  ),
})`;
const byKey = (a: AssetNode, b: AssetNode) => (a.key < b.key ? -1 : 1);

/** The rows for `expected` are shown: the count, and the first rows in the expected order. */
async function expectRows(expected: readonly AssetNode[], label: string): Promise<void> {
  await expect.poll(count, { message: label }).toBe(expected.length);
  // The rows are drawn after the count: on a busy machine a row of the previous filter may
  // still be in place for a moment.
  const inOrder = async (): Promise<string[] | true> => {
    const shown = await shownKeys();
    const wanted = expected.slice(0, shown.length).map((n) => n.key);
    const same = shown.length > 0 === expected.length > 0 && shown.join() === wanted.join();
    return same ? true : shown;
  };
  await expect.poll(inOrder, { message: label }).toBe(true);
}

describe("the asset catalog", () => {
  it("shows 2,000 assets fast, windowed; filters by text, group, tag, kind and status in the URL; sorts", async () => {
    const nodes = await apiNodes(estate);
    expect(nodes).toHaveLength(2_000);
    const sorted = [...nodes].sort(byKey);

    // Navigation → table ready: a first load, then two more (the bundle cached by the browser,
    // as a user coming back has it). The time is mostly GET /api/assets on a busy machine.
    const loads: { ready: number; api: number }[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goto(`${estate.url}/catalog`);
      await catalog().waitFor();
      loads.push((await page.evaluate(READY_TIMES)) as { ready: number; api: number });
    }
    console.log(
      `catalog of 2,000 assets ready after navigation: ${loads.map((l) => `${l.ready} ms (GET /api/assets answered at ${l.api} ms)`).join(", ")}`,
    );
    expect(Math.min(...loads.map((l) => l.ready))).toBeLessThan(5_000);
    await expectRows(sorted, "everything");
    // Windowed: a screenful of rows in the document, not 2,000.
    expect(await page.locator("[data-testid=catalog-row]").count()).toBeLessThan(80);
    expect(await page.getByTestId("catalog-count").textContent()).toBe("2,000 assets");
    // Owners and tags from the definitions.
    const firstRow = page.locator(`[data-testid=catalog-row][data-asset-key="${sorted[0]!.key}"]`);
    expect(sorted[0]!.owners).toEqual([`${sorted[0]!.group}-team`]);
    expect(await firstRow.getByTestId("catalog-owner").textContent()).toBe(sorted[0]!.owners[0]);
    expect(await firstRow.textContent()).toContain(`layer=${sorted[0]!.tags.layer}`);
    await saveScreenshot(page, "catalog-estate");

    // Text: every word in the key.
    await page.getByTestId("catalog-text").fill("finance l05");
    const text = sorted.filter((n) => n.key.includes("finance") && n.key.includes("l05"));
    expect(text.length).toBeGreaterThan(0);
    await expectRows(text, "text");
    expect(new URL(page.url()).searchParams.get("q")).toBe("finance l05");
    await page.getByTestId("catalog-text").fill("");

    // Group, then tag on top of it.
    await page.getByTestId("catalog-group").selectOption("marketing");
    const group = sorted.filter((n) => n.group === "marketing");
    await expectRows(group, "group");
    await page.getByTestId("catalog-tag").selectOption("layer=3");
    const tagged = group.filter((n) => n.tags.layer === "3");
    expect(tagged.length).toBeGreaterThan(0);
    await expectRows(tagged, "group and tag");
    expect(new URL(page.url()).search).toBe("?group=marketing&tag=layer%3D3");

    // The URL is a link: opened anew, it shows the same rows.
    await page.goto(page.url());
    await expectRows(tagged, "reloaded");
    await page.getByTestId("catalog-clear").click();
    await expectRows(sorted, "cleared");

    // Status: each status the estate has.
    const statuses = [...new Set(nodes.map((n) => n.status))];
    expect(statuses.length).toBeGreaterThan(2);
    for (const status of statuses) {
      await page.getByTestId("catalog-status").selectOption(status);
      await expectRows(
        sorted.filter((n) => n.status === status),
        `status ${status}`,
      );
    }
    await page.getByTestId("catalog-status").selectOption("");

    // Kind: the estate is all TypeScript.
    await page.getByTestId("catalog-kind").selectOption("dbt");
    await expectRows([], "kind dbt");
    await expect.poll(() => page.getByText("No asset matches these filters.").count()).toBe(1);
    await page.getByTestId("catalog-kind").selectOption("typescript");
    await expectRows(sorted, "kind typescript");
    await page.getByTestId("catalog-kind").selectOption("");

    // Sorting: last materialisation, newest first (never materialised last), then key descending.
    await page.getByTestId("catalog-sort-lastMaterialized").click();
    await page.getByTestId("catalog-sort-lastMaterialized").click();
    const time = (n: AssetNode) => (n.lastMaterializedAt ? Date.parse(n.lastMaterializedAt) : -1);
    const newest = [...sorted].sort((a, b) => time(b) - time(a) || byKey(a, b));
    await expectRows(newest, "newest first");
    expect(new URL(page.url()).search).toBe("?sort=lastMaterialized&order=desc");
    await page.getByTestId("catalog-sort-key").click();
    await page.getByTestId("catalog-sort-key").click();
    await expectRows([...sorted].reverse(), "key descending");

    // The end of the list is reachable by scrolling.
    await page.locator(".catalog-body").evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(async () => (await shownKeys()).at(-1)).toBe(sorted[0]!.key);
    expect(watched.errors).toEqual([]);
  });

  it("tells dbt models from TypeScript assets and shows their tags (the demo)", async () => {
    const nodes = await apiNodes(demo);
    const dbt = nodes.filter((n) => n.kind === "dbt").sort(byKey);
    expect(dbt.length).toBeGreaterThan(3);
    expect(dbt.every((n) => n.key.startsWith("emploi/"))).toBe(true);
    await page.goto(`${demo.url}/catalog?kind=dbt`);
    await expectRows(dbt, "dbt models");
    const row = page.locator('[data-testid=catalog-row][data-asset-key="emploi/dim_naf"]');
    expect(await row.textContent()).toContain("materialized=table");
    await page.goto(`${demo.url}/catalog?kind=typescript&tag=source%3Dinsee`);
    await expectRows(
      nodes.filter((n) => n.kind === "typescript" && n.tags.source === "insee").sort(byKey),
      "TypeScript, from INSEE",
    );
  });
});

describe("global search", () => {
  const dialog = () => page.getByTestId("search-dialog");
  const results = () => page.locator("[data-testid=search-result]");

  it("jumps to an asset, a run by its 8-character prefix and a page, from / and Ctrl-K", async () => {
    await page.goto(`${demo.url}/catalog`);
    await catalog().waitFor();

    // `/` opens it; an asset by part of its key.
    await page.keyboard.press("/");
    await dialog().waitFor();
    await page.keyboard.type("raw/off");
    await expect.poll(() => results().first().getAttribute("data-href")).toBe("/assets/raw/offres");
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === "/assets/raw/offres");
    expect(await dialog().count()).toBe(0);

    // Ctrl-K: a run by the 8 characters the UI shows, found on the server.
    await page.keyboard.press("Control+k");
    await dialog().waitFor();
    await page.keyboard.type(RUN_ID.slice(0, 8));
    await expect.poll(() => results().first().getAttribute("data-kind")).toBe("run");
    await saveScreenshot(page, "search-run-prefix");
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === `/runs/${RUN_ID}`);
    await page.locator(`[data-testid=run-page][data-run-id="${RUN_ID}"]`).waitFor();

    // A page; the arrows move the choice.
    await page.keyboard.press("Control+k");
    await page.keyboard.type("a");
    await expect.poll(() => results().count()).toBeGreaterThan(2);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    const third = await results().nth(2).getAttribute("data-href");
    expect(await results().nth(2).getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === third);
    await page.keyboard.press("Control+k");
    await page.keyboard.type("automation");
    await expect.poll(() => results().first().getAttribute("data-href")).toBe("/automation");
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === "/automation");

    // Escape closes; `/` typed in a field is a character, not the search.
    await page.keyboard.press("Control+k");
    await dialog().waitFor();
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog().count()).toBe(0);
    await page.goto(`${demo.url}/catalog`);
    await page.getByTestId("catalog-text").click();
    await page.keyboard.type("raw/");
    expect(await page.getByTestId("catalog-text").inputValue()).toBe("raw/");
    expect(await dialog().count()).toBe(0);
    // A too-short id finds no run, and says why.
    await page.keyboard.press("Control+k");
    await page.keyboard.type("889");
    await expect.poll(() => dialog().textContent()).toContain("runs are found from 4 characters");
    await page.keyboard.press("Escape");
    expect(watched.errors).toEqual([]);
  });
});

describe("the dark theme", () => {
  const background = () =>
    page.evaluate("getComputedStyle(document.documentElement).backgroundColor") as Promise<string>;
  const LIGHT_BG = "rgb(246, 247, 249)";
  const DARK_BG = "rgb(15, 19, 26)";

  it("follows prefers-color-scheme, and the switch overrides it (kept across reloads)", async () => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${demo.url}/catalog`);
    await catalog().waitFor();
    expect(await page.getByTestId("theme-switch").inputValue()).toBe("system");
    expect(await background()).toBe(LIGHT_BG);
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(background).toBe(DARK_BG);
    // Text stays readable: light on dark.
    expect(await page.evaluate("getComputedStyle(document.documentElement).color")).toBe(
      "rgb(217, 222, 231)",
    );

    await page.getByTestId("theme-switch").selectOption("light");
    await expect.poll(background).toBe(LIGHT_BG);
    await page.emulateMedia({ colorScheme: "light" });
    await page.getByTestId("theme-switch").selectOption("dark");
    await expect.poll(background).toBe(DARK_BG);
    await page.reload();
    await catalog().waitFor();
    expect(await background()).toBe(DARK_BG);
    expect(await page.getByTestId("theme-switch").inputValue()).toBe("dark");
    await page.getByTestId("theme-switch").selectOption("system");
    await expect.poll(background).toBe(LIGHT_BG);
    expect(await page.evaluate("localStorage.getItem('lignee.theme')")).toBeNull();
  });

  it("screenshots the lineage, the catalog and an asset page in both themes", async () => {
    for (const theme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await page.goto(`${demo.url}/`);
      await page.locator("[data-testid=lineage][data-ready=true]").waitFor();
      expect(await background()).toBe(theme === "dark" ? DARK_BG : LIGHT_BG);
      const flow = await page
        .locator(".react-flow")
        .evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(flow).toBe(theme === "dark" ? DARK_BG : LIGHT_BG);
      await saveScreenshot(page, `theme-${theme}-lineage`);

      await page.goto(`${demo.url}/catalog`);
      await catalog().waitFor();
      await saveScreenshot(page, `theme-${theme}-catalog`);

      await page.goto(`${demo.url}/assets/raw/offres`);
      await page.locator('[data-testid=asset-page][data-asset-key="raw/offres"]').waitFor();
      await page.locator("[data-testid=health-segment]").first().waitFor();
      await saveScreenshot(page, `theme-${theme}-asset`);

      await page.goto(`${demo.url}/runs/${RUN_ID}`);
      await page.locator(`[data-testid=run-page][data-run-id="${RUN_ID}"]`).waitFor();
      await saveScreenshot(page, `theme-${theme}-run`);
    }
    expect(watched.errors).toEqual([]);
  });
});

// ---------------------------------------------------------------- seeded histories

interface Recorded {
  readonly runId: string;
  readonly key: string;
  readonly indices: readonly number[];
  readonly invalidate?: boolean;
}

async function record(storage: Storage, defs: Definitions<unknown>, r: Recorded): Promise<void> {
  const asset = defs.get(r.key);
  const set = IntervalSet.fromIndices([...r.indices]);
  await storage.recordMaterialization({
    runId: r.runId,
    assetKey: r.key,
    codeVersion: asset.codeVersion,
    depsSignature: defs.depsSignature(r.key),
    partitions: r.indices.map((i) => ({
      key: asset.partitions ? partitionKey(asset.partitions, i) : "",
      index: i,
      dataVersion: `${r.runId}:${i}`,
      inputVersions: {},
    })),
    metadata: { rows: 40_000 + ((r.indices[0]! * 7_919) % 15_000), duration_ms: 1_200 },
    invalidates: r.invalidate
      ? defs
          .dependents(r.key)
          .map((d) => ({
            assetKey: d.asset,
            partitions: downstreamPartitionsFor(
              d.mapping,
              set,
              defs.get(d.asset).partitions,
              NOW,
              defs.get(r.key).partitions,
            ),
          }))
          .sort((x, y) => (x.assetKey < y.assetKey ? -1 : 1))
      : [],
    readSince: { watermark: Number.MAX_SAFE_INTEGER, upstream: [] },
  });
}

async function newRun(storage: Storage, id: string, keys: readonly string[]): Promise<string> {
  await storage.createRun({
    id,
    status: "SUCCESS",
    selection: keys.length === 1 ? keys[0]! : "*",
    assetKeys: [...keys],
    partitionSpec: null,
    hostname: "test",
    pid: process.pid,
  });
  return id;
}

/**
 * The demo with a month of history: 30 days of offers (two never collected, one failed), the
 * reference data but SIRENE, every dbt model; then yesterday's offers collected again, which
 * makes the fact table's day stale; check results on two models.
 */
async function seedDemo(storage: Storage, defs: Definitions<unknown>): Promise<void> {
  const keys = defs.graph.topologicalOrder();
  const history = await newRun(storage, RUN_ID, keys);
  const days = (key: string): number[] => {
    const def = defs.get(key).partitions;
    if (!def) return [0];
    const { last } = partitionBounds(def, NOW);
    return Array.from({ length: 30 }, (_, i) => last - 29 + i).filter(
      (i) => i !== last - 6 && i !== last - 12 && i !== last - 3,
    );
  };
  for (const key of keys) {
    if (key === "raw/sirene" || key === "emploi/dim_lieu_activite") continue;
    if (key === "raw/offres") {
      for (const day of days(key))
        await record(storage, defs, { runId: history, key, indices: [day] });
    } else {
      await record(storage, defs, { runId: history, key, indices: days(key) });
    }
  }
  const offres = defs.get("raw/offres").partitions!;
  const { last } = partitionBounds(offres, NOW);
  await storage.markFailed(history, "raw/offres", IntervalSet.single(last - 3));
  const recent = await newRun(storage, randomUUID(), ["raw/offres"]);
  await record(storage, defs, {
    runId: recent,
    key: "raw/offres",
    indices: [last],
    invalidate: true,
  });
  for (const [key, passed] of [
    ["emploi/dim_naf", true],
    ["emploi/fait_offre_emploi", false],
  ] as const) {
    await storage.recordCheckResult({
      runId: history,
      assetKey: key,
      checkName: "not_null_code",
      passed,
      severity: "error",
      ...(passed ? {} : { description: "3 null codes" }),
    });
  }
}

/**
 * A light history for the 2,000 assets (one partition each for four in ten, failures, checks),
 * written a few at a time: enough for every status but stale, in a few seconds.
 */
async function seedEstate(storage: Storage, defs: Definitions<unknown>): Promise<void> {
  const keys = defs.graph.topologicalOrder();
  const run = await newRun(storage, randomUUID(), ["*"]);
  const lastOf = (key: string): number => {
    const def = defs.get(key).partitions;
    return def ? partitionBounds(def, NOW).last : 0;
  };
  const work = keys.map((key, i) => async () => {
    if (i % 10 < 4) await record(storage, defs, { runId: run, key, indices: [lastOf(key)] });
    if (i % 37 === 5) await storage.markFailed(run, key, IntervalSet.single(lastOf(key)));
    if (i % 23 === 0) {
      await storage.recordCheckResult({
        runId: run,
        assetKey: key,
        checkName: "row_count_positive",
        passed: i % 46 !== 0,
        severity: "error",
      });
    }
  });
  for (let at = 0; at < work.length; at += 10) {
    await Promise.all(work.slice(at, at + 10).map((w) => w()));
  }
  const running = await storage.createRun({
    id: randomUUID(),
    status: "STARTED",
    selection: keys.at(-1)!,
    assetKeys: [keys.at(-1)!],
    partitionSpec: null,
    hostname: "test",
    pid: process.pid,
  });
  await storage.markRunning(running.id, keys.at(-1)!, IntervalSet.single(lastOf(keys.at(-1)!)));
}
