import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { computeStatus, migrateDatabase, PostgresStorage } from "@lignee/engine";
import {
  assertUiBuilt,
  launchChromium,
  saveScreenshot,
  type Browser,
  type BrowserContext,
  type Page,
} from "../tests/support/browser";
import { REPO_ROOT } from "../tests/support/cli";
import { startUiServer, type UiServer } from "../tests/support/ui-server";
import {
  machineInfo,
  openBenchDatabase,
  stats,
  timed,
  writeResults,
  type BenchResult,
  type Stats,
} from "./support";
import { buildUiEstate, PAGE_ASSET, seedUiEstate, uiDefinitions } from "./ui-estate";

/**
 * `pnpm bench ui [--no-build]`: the UI on a 2,000-asset estate (bench/ui-estate.ts) served by
 * `createServer` with the freshly built UI, over a real PostgreSQL, in headless Chromium.
 *
 * 1. api_assets: GET /api/assets from Node (the lineage's one request, polled every 2 s).
 * 2. lineage_interactive: navigation start → `[data-testid=lineage][data-ready=true]` and the
 *    frame after it, painted, routed edges drawn; a new browser context (empty layout cache)
 *    for each load; lineage_longest_task: the longest main-thread task of those loads.
 *    lineage_second_visit: the same, reloading in one context (the layout comes from the
 *    localStorage cache). lineage_expand_all: from a click on "Expand all" to the 2,000 assets
 *    laid out, drawn and painted. Then frame times while zooming with the wheel and panning by
 *    dragging for ~2 s (at group level, where the page opens).
 * 3. asset_page_health_bar: navigation start → the health bar of an asset with 1,000+
 *    partitions drawn with its segments, painted.
 *
 * Each load also records where its time went (boot until the API request, the request, until
 * React's first render of the page, until ready, until painted; long tasks). The warm-up loads
 * leave screenshots in test-results/screenshots/bench-ui-*.png.
 */
const LOADS = 7;
const API_REQUESTS = 30;
const TARGETS = {
  lineage: 1_000,
  longTask: 100,
  secondVisit: 1_000,
  expandAll: 2_000,
  assetPage: 1_000,
  apiAssets: 200,
};

export async function run(args: readonly string[]): Promise<void> {
  const log = (message: string): void => console.log(message);
  const started = performance.now();
  // Browser timings suffer first from other work on the machine: recorded with the results.
  const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100);
  if (!args.includes("--no-build")) buildUi(log);
  assertUiBuilt();

  const db = await openBenchDatabase(log);
  let storage: PostgresStorage | undefined;
  let server: UiServer | undefined;
  let browser: Browser | undefined;
  try {
    await migrateDatabase(db.url);
    storage = PostgresStorage.connect(db.url);
    log(`database: ${db.description}`);

    const assets = buildUiEstate();
    const definitions = uiDefinitions(assets);
    const now = new Date();
    log(`\nseeding ${assets.length} assets (${assets.filter((a) => a.daily).length} daily)…`);
    const { ms: seedMs, value: seeded } = await timed(() =>
      seedUiEstate(storage!, definitions, assets, now, log),
    );
    log(`  seeded in ${(seedMs / 1000).toFixed(1)} s`);
    const estate = describeEstate(definitions, await storage.getAssetSummaries(), now);
    log(`  assets by status: ${JSON.stringify(estate.assetsByStatus)}`);
    log(`  partitions by status: ${JSON.stringify(estate.partitionsByStatus)}`);

    // Loopback only, without the API token the environment may set; `stop()` leaves the
    // bench's store open.
    server = await startUiServer({ definitions, store: { databaseUrl: db.url, storage } });
    log(`serving on ${server.url}`);

    const results: BenchResult[] = [];
    log(`\n[1/3] GET /api/assets: 3 warm-up + ${API_REQUESTS} requests`);
    results.push(await benchApi(server.url, `/api/assets`, "api_assets", TARGETS.apiAssets));
    const detailApi = await benchApi(
      server.url,
      `/api/assets/${PAGE_ASSET}`,
      "api_asset_detail",
      TARGETS.assetPage,
    );

    browser = await launchChromium();
    log(`\n[2/3] lineage page: 1 warm-up + ${LOADS} cold loads, then 2 s of wheel zoom and drag`);
    const lineage = await benchPage(browser, `${server.url}/`, "lineage", log);
    log(`  second visits (layout cache hit): 1 first visit + ${LOADS} reloads in one context`);
    const secondVisit = await benchSecondVisit(browser, `${server.url}/`, log);
    log(`  every group expanded: 1 warm-up + ${LOADS} expansions, each in a new context`);
    const expandAll = await benchExpandAll(browser, `${server.url}/`, log);
    const smoothness = await measureSmoothness(browser, `${server.url}/`);
    log(
      `  frames while zooming/panning: p50 ${smoothness.frameMs.p50} ms, p95 ${smoothness.frameMs.p95} ms, ` +
        `${smoothness.longFrames} of ${smoothness.frameMs.samples} over 50 ms ` +
        `(${smoothness.wheelEvents} wheel steps, ${smoothness.pointerMoves} pointer moves in ${smoothness.durationMs} ms; ` +
        `${smoothness.domElements} DOM elements)`,
    );
    results.push({
      name: "lineage_interactive",
      unit: "ms",
      assets: assets.length,
      ...lineage.stats,
      first: lineage.first,
      phasesMedian: lineage.phases,
      renderedNodes: lineage.renderedNodes,
      targetStat: "p50",
      target: TARGETS.lineage,
      met: lineage.stats.p50 <= TARGETS.lineage,
    });
    const longest = stats(lineage.longestTasks);
    results.push({
      name: "lineage_longest_task",
      unit: "ms",
      ...longest,
      targetStat: "p50",
      target: TARGETS.longTask,
      met: longest.p50 <= TARGETS.longTask,
    });
    results.push({
      name: "lineage_second_visit",
      unit: "ms",
      assets: assets.length,
      ...secondVisit.stats,
      phasesMedian: secondVisit.phases,
      targetStat: "p50",
      target: TARGETS.secondVisit,
      met: secondVisit.stats.p50 <= TARGETS.secondVisit,
    });
    results.push({
      name: "lineage_expand_all",
      unit: "ms",
      assets: assets.length,
      ...expandAll.stats,
      longestTaskMs: expandAll.longestTask,
      renderedNodes: expandAll.renderedNodes,
      targetStat: "p50",
      target: TARGETS.expandAll,
      met: expandAll.stats.p50 <= TARGETS.expandAll,
    });

    log(`\n[3/3] asset page of ${PAGE_ASSET}: 1 warm-up + ${LOADS} cold loads`);
    const page = await benchPage(browser, `${server.url}/assets/${PAGE_ASSET}`, "asset", log);
    results.push({
      name: "asset_page_health_bar",
      unit: "ms",
      asset: PAGE_ASSET,
      partitions: estate.pageAssetPartitions,
      ...page.stats,
      first: page.first,
      phasesMedian: page.phases,
      segments: page.renderedNodes,
      targetStat: "p50",
      target: TARGETS.assetPage,
      met: page.stats.p50 <= TARGETS.assetPage,
    });

    const file = await writeResults("ui", {
      machine: {
        ...machineInfo(),
        loadAverage1mBefore: loadBefore[0],
        loadAverage1mAfter: Math.round(loadavg()[0]! * 100) / 100,
      },
      browser: `Chromium ${browser.version()} (headless)`,
      database: db.description,
      date: new Date().toISOString(),
      durationSeconds: Math.round((performance.now() - started) / 100) / 10,
      estate: { ...estate, seedSeconds: Math.round(seedMs / 100) / 10, ...seeded },
      smoothness,
      apiAssetDetail: detailApi,
      results,
    });
    console.log("\nui benchmark");
    for (const r of results) {
      console.log(
        `  ${r.met ? "ok  " : "MISS"} ${r.name.padEnd(24)} p50 ${String(r.p50).padStart(8)} ms  (p95 ${String(r.p95)}, max ${String(r.max)}; target ≤ ${r.target} ms)`,
      );
    }
    console.log(
      `  lineage frames while zooming/panning: p50 ${smoothness.frameMs.p50} ms, p95 ${smoothness.frameMs.p95} ms`,
    );
    console.log(`results written to ${file}`);
    const missed = results.filter((r) => !r.met);
    if (missed.length > 0)
      console.log(`${missed.length} target(s) missed: ${missed.map((r) => r.name).join(", ")}`);
  } finally {
    await browser?.close();
    await server?.stop();
    await storage?.close();
    await db.close();
  }
}

function buildUi(log: (m: string) => void): void {
  log("building the UI (pnpm --filter @lignee/ui build; --no-build to skip)");
  // Under `pnpm bench`, npm_execpath is pnpm itself.
  const execPath = process.env.npm_execpath;
  const [command, prefix] =
    execPath && /pnpm/.test(execPath) ? [process.execPath, [execPath]] : ["pnpm", [] as string[]];
  const r = spawnSync(command, [...prefix, "--filter", "@lignee/ui", "build"], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (r.status !== 0) throw new Error(`building the UI failed (exit ${r.status})`);
}

function describeEstate(
  definitions: ReturnType<typeof uiDefinitions>,
  summaries: Awaited<ReturnType<PostgresStorage["getAssetSummaries"]>>,
  now: Date,
) {
  const statuses = computeStatus(definitions, summaries, now);
  const assetsByStatus: Record<string, number> = {};
  const partitionsByStatus: Record<string, number> = {};
  for (const s of statuses.values()) {
    assetsByStatus[s.status] = (assetsByStatus[s.status] ?? 0) + 1;
    for (const [k, n] of Object.entries(s.counts))
      partitionsByStatus[k] = (partitionsByStatus[k] ?? 0) + n;
  }
  const groups = new Set(definitions.assets.map((a) => a.group));
  return {
    assets: definitions.assets.length,
    groups: groups.size,
    edges: definitions.graph.snapshot().edges.length,
    dailyAssets: definitions.assets.filter((a) => a.partitions).length,
    pageAssetPartitions: statuses.get(PAGE_ASSET)!.total,
    assetsByStatus,
    partitionsByStatus,
  };
}

// ------------------------------------------------------------------ API

async function benchApi(
  url: string,
  route: string,
  name: string,
  target: number,
): Promise<BenchResult> {
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 3 + API_REQUESTS; i++) {
    const { ms, value } = await timed(async () => {
      const res = await fetch(`${url}${route}`);
      if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
      return res.text();
    });
    bytes = Buffer.byteLength(value);
    if (i >= 3) samples.push(ms);
  }
  const s = stats(samples);
  console.log(`  ${route}: p50 ${s.p50} ms, p95 ${s.p95} ms, ${Math.round(bytes / 1024)} KiB`);
  return { name, unit: "ms", route, bytes, ...s, targetStat: "p50", target, met: s.p50 <= target };
}

// ------------------------------------------------------------------ page loads

/**
 * Installed before any script of the page: records, relative to navigation start, when the
 * lineage first appears, when it is ready (and the frame after, painted), when the health bar
 * has segments (and painted), and the long tasks.
 */
const PROBE = `(() => {
  const t = { longTasks: [] };
  window.__bench = t;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) t.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch {}
  const painted = (field) =>
    requestAnimationFrame(() => setTimeout(() => { t[field] = performance.now(); }, 0));
  const check = () => {
    if (t.lineageReady === undefined) {
      const el = document.querySelector("[data-testid=lineage]");
      if (el && t.lineageShell === undefined) t.lineageShell = performance.now();
      if (el && el.getAttribute("data-ready") === "true") {
        t.lineageReady = performance.now();
        t.rendered = document.querySelectorAll("[data-testid=asset-node]").length;
        painted("lineageDone");
      }
    }
    if (t.healthReady === undefined) {
      const page = document.querySelector("[data-testid=asset-page]");
      if (page && t.assetShell === undefined) t.assetShell = performance.now();
      const bar = document.querySelector("[data-testid=health-bar]");
      const segments = bar ? bar.querySelectorAll("[data-testid=health-segment]").length : 0;
      if (segments > 0) {
        t.healthReady = performance.now();
        t.rendered = segments;
        painted("assetDone");
      }
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["data-ready"],
  });
})()`;

interface Probe {
  lineageShell?: number;
  lineageReady?: number;
  lineageDone?: number;
  assetShell?: number;
  healthReady?: number;
  assetDone?: number;
  rendered?: number;
  longTasks: [number, number][];
}

interface Timing {
  readonly total: number;
  readonly phases: Record<string, number>;
  readonly rendered: number;
}

async function loadOnce(
  browser: Browser,
  url: string,
  kind: "lineage" | "asset",
  screenshot?: string,
  /** A context to load in (and leave open, with its localStorage); else a new one. */
  shared?: BrowserContext,
): Promise<Timing> {
  const context = shared ?? (await newProbedContext(browser));
  const page = await context.newPage();
  try {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url, { waitUntil: "commit" });
    const done = kind === "lineage" ? "lineageDone" : "assetDone";
    await page.waitForFunction(`window.__bench && window.__bench.${done} !== undefined`, null, {
      timeout: 60_000,
      polling: 50,
    });
    if (errors.length > 0) throw new Error(`errors in the page: ${errors.join("; ")}`);
    if (screenshot) await saveScreenshot(page, screenshot);
    const probe = (await page.evaluate("window.__bench")) as Probe;
    const entries = (await page.evaluate(
      `JSON.parse(JSON.stringify(performance.getEntries().filter((e) => e.entryType === "navigation" || e.entryType === "resource")))`,
    )) as { name: string; entryType: string; startTime: number; responseEnd: number }[];
    return { ...phasesOf(probe, entries, kind), rendered: probe.rendered ?? 0 };
  } finally {
    if (shared) await page.close();
    else await context.close();
  }
}

async function newProbedContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript(PROBE);
  return context;
}

function phasesOf(
  probe: Probe,
  entries: { name: string; entryType: string; startTime: number; responseEnd: number }[],
  kind: "lineage" | "asset",
): { total: number; phases: Record<string, number> } {
  const total = (kind === "lineage" ? probe.lineageDone : probe.assetDone)!;
  const nav = entries.find((e) => e.entryType === "navigation");
  const script = entries.find((e) => /\/assets\/index-.*\.js$/.test(e.name));
  // The first request of each API route (later ones are the 2-second status polls).
  const api = new Map<string, { startTime: number; responseEnd: number }>();
  for (const e of entries) {
    const route = /\/api\/assets(\/[^?]*?)?(\/materializations)?(\?|$)/.exec(e.name);
    if (!route || e.startTime > total) continue;
    const name = route[2] ? "apiMaterializations" : route[1] ? "apiAssetDetail" : "apiAssets";
    if (!api.has(name)) api.set(name, e);
  }
  const shell = kind === "lineage" ? probe.lineageShell : probe.assetShell;
  const ready = kind === "lineage" ? probe.lineageReady : probe.healthReady;
  const longTasks = probe.longTasks.filter(([start]) => start < total);
  const r = (x: number | undefined): number => (x === undefined ? NaN : Math.round(x * 10) / 10);
  const phases: Record<string, number> = {
    documentLoaded: r(nav?.responseEnd),
    scriptLoaded: r(script?.responseEnd),
  };
  for (const [name, e] of api) {
    phases[`${name}Start`] = r(e.startTime);
    phases[`${name}End`] = r(e.responseEnd);
  }
  // The same as durations: boot (document, script, first React render, request sent), the API
  // answer, its first render, until ready, until painted.
  // The request the page waits for before drawing anything.
  const gate = api.get(kind === "lineage" ? "apiAssets" : "apiAssetDetail");
  Object.assign(phases, {
    bootMs: r(gate?.startTime),
    apiMs: r(gate && gate.responseEnd - gate.startTime),
    apiToFirstRenderMs: r(gate && shell !== undefined ? shell - gate.responseEnd : undefined),
    firstRenderToReadyMs: r(shell !== undefined && ready !== undefined ? ready - shell : undefined),
    readyToPaintedMs: r(ready !== undefined ? total - ready : undefined),
  });
  Object.assign(phases, {
    firstRender: r(shell),
    ready: r(ready),
    painted: r(total),
    longTasks: longTasks.length,
    longTasksMs: r(longTasks.reduce((sum, [, d]) => sum + d, 0)),
    longestTaskMs: r(Math.max(0, ...longTasks.map(([, d]) => d))),
  });
  return { total, phases };
}

async function benchPage(
  browser: Browser,
  url: string,
  kind: "lineage" | "asset",
  log: (m: string) => void,
): Promise<{
  stats: Stats;
  first: number;
  phases: Record<string, number>;
  renderedNodes: number;
  longestTasks: number[];
}> {
  const timings: Timing[] = [];
  let first = 0;
  for (let i = 0; i < 1 + LOADS; i++) {
    // The warm-up load leaves a screenshot for a look at what was measured.
    const t = await loadOnce(browser, url, kind, i === 0 ? `bench-ui-${kind}` : undefined);
    if (i === 0) first = Math.round(t.total * 100) / 100;
    else timings.push(t);
    log(
      `  ${i === 0 ? "warm-up" : `load ${i}`}: ${t.total.toFixed(0)} ms  ${JSON.stringify(t.phases)}`,
    );
  }
  const s = stats(timings.map((t) => t.total));
  return {
    stats: s,
    first,
    phases: medianPhases(timings),
    renderedNodes: timings[0]!.rendered,
    longestTasks: timings.map((t) => t.phases.longestTaskMs ?? 0),
  };
}

function medianPhases(timings: readonly Timing[]): Record<string, number> {
  const phases: Record<string, number> = {};
  for (const name of Object.keys(timings[0]!.phases)) {
    const values = timings.map((t) => t.phases[name] ?? NaN).filter((x) => !Number.isNaN(x));
    if (values.length > 0) phases[name] = stats(values).p50;
  }
  return phases;
}

/** Reloads in one context: the first visit fills the layout cache, the others read it. */
async function benchSecondVisit(
  browser: Browser,
  url: string,
  log: (m: string) => void,
): Promise<{ stats: Stats; phases: Record<string, number> }> {
  const context = await newProbedContext(browser);
  try {
    const timings: Timing[] = [];
    for (let i = 0; i < 1 + LOADS; i++) {
      const t = await loadOnce(browser, url, "lineage", undefined, context);
      if (i > 0) timings.push(t);
      log(
        `  ${i === 0 ? "first visit" : `reload ${i}`}: ${t.total.toFixed(0)} ms  ${JSON.stringify(t.phases)}`,
      );
    }
    return { stats: stats(timings.map((t) => t.total)), phases: medianPhases(timings) };
  } finally {
    await context.close();
  }
}

/**
 * Run in the page once the lineage is drawn: clicks "Expand all" and resolves when the assets
 * are laid out, drawn and painted, with the time taken and the longest task meanwhile.
 */
const EXPAND_ALL = `new Promise((resolve) => {
  const t0 = performance.now();
  document.querySelector("[data-testid=expand-all]").click();
  const check = () => {
    const drawn =
      !document.querySelector("[data-testid=lineage-laying-out]") &&
      document.querySelector("[data-testid=asset-node]") &&
      document.querySelector("[data-testid=lineage-edge]");
    if (!drawn) return setTimeout(check, 5);
    requestAnimationFrame(() =>
      setTimeout(() => {
        const tasks = window.__bench.longTasks.filter(([start]) => start >= t0);
        resolve({
          ms: performance.now() - t0,
          longestTaskMs: Math.max(0, ...tasks.map(([, d]) => d)),
          nodes: document.querySelectorAll("[data-testid=asset-node]").length,
        });
      }, 0),
    );
  };
  check();
})`;

async function benchExpandAll(
  browser: Browser,
  url: string,
  log: (m: string) => void,
): Promise<{ stats: Stats; longestTask: number; renderedNodes: number }> {
  const samples: { ms: number; longestTaskMs: number; nodes: number }[] = [];
  for (let i = 0; i < 1 + LOADS; i++) {
    const context = await newProbedContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction("window.__bench && window.__bench.lineageDone !== undefined");
      const r = (await page.evaluate(EXPAND_ALL)) as (typeof samples)[number];
      if (i === 0) await saveScreenshot(page, "bench-ui-lineage-expanded");
      else samples.push(r);
      log(`  ${i === 0 ? "warm-up" : `expansion ${i}`}: ${JSON.stringify(r)}`);
    } finally {
      await context.close();
    }
  }
  return {
    stats: stats(samples.map((s) => s.ms)),
    longestTask: stats(samples.map((s) => s.longestTaskMs)).p50,
    renderedNodes: samples[0]!.nodes,
  };
}

// ------------------------------------------------------------------ smoothness

/** Collects requestAnimationFrame deltas in the page until `window.__frames.stop` is set. */
const FRAMES = `(() => {
  const f = { deltas: [], stop: false };
  window.__frames = f;
  let last = performance.now();
  const tick = (now) => {
    f.deltas.push(now - last);
    last = now;
    if (!f.stop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

const VIEWPORT_TRANSFORM = `document.querySelector(".react-flow__viewport").style.transform`;

async function measureSmoothness(browser: Browser, url: string) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    await context.addInitScript(PROBE);
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction("window.__bench && window.__bench.lineageDone !== undefined");
    const box = (await page.locator(".react-flow__pane").boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const initial = (await page.evaluate(VIEWPORT_TRANSFORM)) as string;
    await page.mouse.move(cx, cy);
    await page.evaluate(FRAMES);
    // Each input event is dispatched once the page has taken the previous one: a page busy
    // for 150 ms per wheel step gets fewer steps in the same time, as a user's browser would.
    const started = performance.now();
    const elapsed = (): number => performance.now() - started;
    let wheelEvents = 0;
    // ~1 s of wheel zoom: in towards the centre for half of it, then out.
    let zoomed: string | undefined;
    while (elapsed() < 1_000) {
      const zoomingIn = elapsed() < 500;
      if (!zoomingIn && zoomed === undefined)
        zoomed = (await page.evaluate(VIEWPORT_TRANSFORM)) as string;
      await page.mouse.wheel(0, zoomingIn ? -100 : 100);
      wheelEvents++;
      await pause(page, 30);
    }
    const unzoomed = (await page.evaluate(VIEWPORT_TRANSFORM)) as string;
    // ~1 s of panning: drag across the graph, back and forth.
    let moves = 0;
    await page.mouse.down();
    while (elapsed() < 2_000) {
      const phase = (elapsed() - 1_000) / 1_000;
      const dx = Math.sin(phase * Math.PI * 2) * 300;
      await page.mouse.move(cx - dx, cy - dx / 3);
      moves++;
      await pause(page, 16);
    }
    await page.mouse.up();
    const panned = (await page.evaluate(VIEWPORT_TRANSFORM)) as string;
    const durationMs = elapsed();
    await page.evaluate("window.__frames.stop = true");
    // The first delta spans the time before the recorder started.
    const deltas = ((await page.evaluate("window.__frames.deltas")) as number[]).slice(1);
    return {
      durationMs: Math.round(durationMs),
      wheelEvents,
      pointerMoves: moves,
      frameMs: stats(deltas),
      longFrames: deltas.filter((d) => d > 50).length,
      viewportChanged: {
        zoom: zoomed !== undefined && zoomed !== initial,
        pan: panned !== unzoomed,
      },
      domElements: (await page.evaluate("document.getElementsByTagName('*').length")) as number,
    };
  } finally {
    await context.close();
  }
}

function pause(page: Page, ms: number): Promise<void> {
  return page.waitForTimeout(ms);
}
