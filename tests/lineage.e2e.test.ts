import { defineAsset, Definitions, type RunningServer } from "@lignee/engine";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildUiEstate, uiDefinitions } from "../bench/ui-estate";
import { seededRandom } from "../bench/support";
import { saveScreenshot } from "./support/browser";
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
 * The lineage as drawn, in a real Chromium, over servers from `createServer` (no run, no dbt
 * build: statuses are all missing): on the demo graph and on a generated 300-asset graph every
 * edge of the API is drawn once, from the right side of its source's box to the left side of its
 * target's, and crosses no other box; a group collapses into one node with aggregated edges and
 * expands again; hovering an asset dims what is not its lineage; a double-click opens the asset
 * page; a 2,000-asset graph opens at group level with a sidebar to jump to an asset.
 */

interface ApiGraph {
  readonly nodes: readonly { readonly key: string; readonly group: string }[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

interface Drawn {
  readonly edges: { from: string; to: string; count: number; dimmed: boolean }[];
  readonly nodes: number;
  readonly problems: string[];
}

/**
 * Run in the page: every drawn edge path, sampled along its length and mapped to page
 * coordinates through the SVG's screen matrix, against the boxes of all rendered nodes.
 */
const MEASURE = `(() => {
  const TOLERANCE = 2;
  const CELL = 80;
  const boxes = new Map();
  const grid = new Map();
  for (const el of document.querySelectorAll(".react-flow__node")) {
    if (el.classList.contains("react-flow__node-lane")) continue;
    const id = el.getAttribute("data-id");
    const r = el.getBoundingClientRect();
    boxes.set(id, r);
    for (let x = Math.floor(r.left / CELL); x <= Math.floor(r.right / CELL); x++)
      for (let y = Math.floor(r.top / CELL); y <= Math.floor(r.bottom / CELL); y++) {
        const k = x + ":" + y;
        if (!grid.has(k)) grid.set(k, []);
        grid.get(k).push(id);
      }
  }
  const problems = [];
  const edges = [];
  for (const path of document.querySelectorAll("[data-testid=lineage-edge]")) {
    const from = path.getAttribute("data-from");
    const to = path.getAttribute("data-to");
    const name = from + " -> " + to;
    edges.push({
      from,
      to,
      count: Number(path.getAttribute("data-count") || "1"),
      dimmed: path.classList.contains("dimmed"),
    });
    const source = boxes.get(from);
    const target = boxes.get(to);
    if (!source || !target) {
      problems.push(name + ": an end is not drawn");
      continue;
    }
    const ctm = path.getScreenCTM();
    const length = path.getTotalLength();
    const at = (l) => {
      const p = path.getPointAtLength(l);
      return new DOMPoint(p.x, p.y).matrixTransform(ctm);
    };
    const start = at(0);
    const end = at(length);
    if (
      Math.abs(start.x - source.right) > TOLERANCE ||
      start.y < source.top - TOLERANCE ||
      start.y > source.bottom + TOLERANCE
    )
      problems.push(name + ": starts at " + Math.round(start.x) + "," + Math.round(start.y) +
        ", not on the right side of its source");
    if (
      Math.abs(end.x - target.left) > TOLERANCE ||
      end.y < target.top - TOLERANCE ||
      end.y > target.bottom + TOLERANCE
    )
      problems.push(name + ": ends at " + Math.round(end.x) + "," + Math.round(end.y) +
        ", not on the left side of its target");
    // Sampled segment by segment (getPointAtLength walks the whole path on each call): a
    // sample every 3 px on the screen at most.
    const crossed = new Set();
    const segment = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.parentNode.appendChild(segment);
    const tokens = path.getAttribute("d").match(/[A-Za-z]|-?[0-9.]+(?:e-?[0-9]+)?/g);
    let cursor = [tokens[1], tokens[2]];
    for (let t = 3; t < tokens.length; ) {
      const command = tokens[t];
      const size = command === "C" ? 6 : command === "L" ? 2 : -1;
      if (size < 0) {
        problems.push(name + ": unexpected path command " + command);
        break;
      }
      const args = tokens.slice(t + 1, t + 1 + size);
      segment.setAttribute("d", "M " + cursor.join(" ") + " " + command + " " + args.join(" "));
      cursor = args.slice(-2);
      t += 1 + size;
      const segmentLength = segment.getTotalLength();
      const steps = Math.max(2, Math.ceil((segmentLength * Math.abs(ctm.a)) / 3));
      for (let i = 0; i <= steps; i++) {
        const q = segment.getPointAtLength((segmentLength * i) / steps);
        const p = new DOMPoint(q.x, q.y).matrixTransform(ctm);
        const near = grid.get(Math.floor(p.x / CELL) + ":" + Math.floor(p.y / CELL)) || [];
        for (const id of near) {
          if (id === from || id === to || crossed.has(id)) continue;
          const r = boxes.get(id);
          if (p.x > r.left + 1 && p.x < r.right - 1 && p.y > r.top + 1 && p.y < r.bottom - 1) {
            crossed.add(id);
            problems.push(name + ": crosses the box of " + id);
          }
        }
      }
    }
    segment.remove();
  }
  return { edges, nodes: boxes.size, problems };
})()`;

let home: TempDir;
let store: UiStore;
let ui: UiBrowser;
let page: Page;
let watched: UiBrowser["watched"];
const servers: UiServer[] = [];
let demo: RunningServer;
let generated: RunningServer;
let estate: RunningServer;

/** 300 assets in 6 groups over 12 layers, with edges skipping up to 5 layers. */
function generatedDefinitions(): Definitions {
  const random = seededRandom(300);
  const groups = ["ingest", "clean", "sales", "finance", "ops", "reports"];
  const layers: string[][] = [];
  const assets = [];
  for (let layer = 0; layer < 12; layer++) {
    const row: string[] = [];
    for (let i = 0; i < 25; i++) {
      const deps = new Set<string>();
      if (layer > 0) {
        const n = 1 + Math.floor(random() * 3);
        while (deps.size < n) {
          const back = random() < 0.7 ? 1 : 2 + Math.floor(random() * Math.min(4, layer));
          const from = layers[Math.max(0, layer - back)]!;
          deps.add(from[Math.floor(random() * from.length)]!);
        }
      }
      const group =
        layer === 0 || random() < 0.3
          ? groups[Math.floor(random() * groups.length)]!
          : [...deps][0]!.split("/")[0]!;
      const key = `${group}/a${String(layer).padStart(2, "0")}_${String(i).padStart(2, "0")}`;
      row.push(key);
      assets.push(
        defineAsset({ key, group, deps: [...deps], materialize: async () => ({ metadata: {} }) }),
      );
    }
    layers.push(row);
  }
  return Definitions.create({ assets });
}

const serve = async (definitions: Definitions<unknown>): Promise<RunningServer> => {
  const served = await startUiServer({ definitions, home: home.path, store });
  servers.push(served);
  return served.server;
};

const api = async (server: RunningServer): Promise<ApiGraph> => {
  const res = await fetch(`${server.url}/api/assets`);
  expect(res.status).toBe(200);
  return (await res.json()) as ApiGraph;
};

/** Opens the lineage of a server, fitted to the window, and waits for its edges. */
const open = async (server: RunningServer): Promise<void> => {
  await page.goto(`${server.url}/`);
  await page.locator("[data-testid=lineage][data-ready=true]").waitFor();
  await page.locator("[data-testid=lineage-edge]").first().waitFor({ state: "attached" });
};

const fit = async (): Promise<void> => {
  await page.locator(".react-flow__controls-fitview").click();
  await page.waitForTimeout(400);
};

const measure = async (): Promise<Drawn> => (await page.evaluate(MEASURE)) as Drawn;

/** Each API edge drawn exactly once between its two assets, and nothing else drawn. */
const expectEveryEdgeOnce = (graph: ApiGraph, drawn: Drawn): void => {
  const count = new Map<string, number>();
  for (const e of drawn.edges)
    count.set(`${e.from} -> ${e.to}`, (count.get(`${e.from} -> ${e.to}`) ?? 0) + 1);
  const expected = graph.edges.map((e) => `${e.from} -> ${e.to}`).sort();
  expect([...count.keys()].sort()).toEqual(expected);
  expect([...count.entries()].filter(([, n]) => n !== 1)).toEqual([]);
};

beforeAll(async () => {
  home = await createTempDir("lignee-lineage-");
  // Read when the demo's definitions look for their data folder and credentials.
  process.env.LIGNEE_DATA_DIR = home.path;
  process.env.FRANCE_TRAVAIL_CLIENT_ID = "";
  process.env.FRANCE_TRAVAIL_CLIENT_SECRET = "";
  store = await createUiStore();
  const demoDefinitions = (await import("@lignee/assets")).default as Definitions<unknown>;
  [demo, generated, estate, ui] = await Promise.all([
    serve(demoDefinitions),
    serve(generatedDefinitions()),
    serve(uiDefinitions(buildUiEstate())),
    openUiBrowser({ width: 1800, height: 1100 }),
  ]);
  ({ page, watched } = ui);
});

afterEach(({ task }) => screenshotOnFailure("lineage", page, task));

afterAll(async () => {
  await ui?.close();
  for (const server of servers) await server.stop();
  await store?.storage.close();
  await home?.remove();
});

describe("the lineage as drawn", () => {
  it("draws every edge of the demo graph once, box side to box side, across no other box", async () => {
    const graph = await api(demo);
    await open(demo);
    await fit();
    await saveScreenshot(page, "lineage-demo");
    const drawn = await measure();
    expect(drawn.nodes).toBe(graph.nodes.length);
    expectEveryEdgeOnce(graph, drawn);
    expect(drawn.problems).toEqual([]);
    // Each edge ends in an arrowhead.
    const markers = await page.$$eval(
      "[data-testid=lineage-edge]",
      (paths) => paths.filter((p) => /url\(/.test(p.getAttribute("marker-end") ?? "")).length,
    );
    expect(markers).toBe(graph.edges.length);
    expect(watched.errors).toEqual([]);
  });

  it("draws every edge of a 300-asset graph with long edges the same way", async () => {
    const graph = await api(generated);
    expect(graph.nodes.length).toBe(300);
    await open(generated);
    await fit();
    await saveScreenshot(page, "lineage-300");
    const drawn = await measure();
    expect(drawn.nodes).toBe(300);
    expectEveryEdgeOnce(graph, drawn);
    expect(drawn.problems).toEqual([]);
  });

  it("collapses a group into one node with aggregated edges, and expands it in place", async () => {
    const graph = await api(generated);
    await open(generated);
    const group = "sales";
    const inGroup = new Set(graph.nodes.filter((n) => n.group === group).map((n) => n.key));
    const id = `group:${group}`;
    // What the collapsed group's edges must aggregate: per outside asset, the edges across.
    const expected = new Map<string, number>();
    for (const e of graph.edges) {
      const a = inGroup.has(e.from) ? id : e.from;
      const b = inGroup.has(e.to) ? id : e.to;
      if (a === b) continue;
      expected.set(`${a} -> ${b}`, (expected.get(`${a} -> ${b}`) ?? 0) + 1);
    }

    await page.locator(`[data-testid=group-collapse][data-group="${group}"]`).click();
    const node = page.locator(`[data-testid=group-node][data-group="${group}"]`);
    await node.waitFor();
    expect(await node.getAttribute("data-count")).toBe(String(inGroup.size));
    expect(await page.locator("[data-testid=asset-node]").count()).toBe(300 - inGroup.size);
    await fit();
    await saveScreenshot(page, "lineage-300-collapsed-group");
    const drawn = await measure();
    const got = new Map(drawn.edges.map((e) => [`${e.from} -> ${e.to}`, e.count]));
    expect(drawn.edges.length).toBe(got.size);
    expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...expected].sort()));
    expect(drawn.problems).toEqual([]);

    await node.locator("[data-testid=group-expand]").click();
    await node.waitFor({ state: "detached" });
    await fit();
    expect(await page.locator("[data-testid=asset-node]").count()).toBe(300);
    // Its geometry is the first 300-asset test's: only the edges are checked again.
    const again = await page.$$eval("[data-testid=lineage-edge]", (paths) =>
      paths.map((p) => ({
        from: p.getAttribute("data-from")!,
        to: p.getAttribute("data-to")!,
        count: 1,
        dimmed: false,
      })),
    );
    expectEveryEdgeOnce(graph, { edges: again, nodes: 300, problems: [] });
  });

  it("highlights the lineage of the hovered asset and dims the other edges", async () => {
    const graph = await api(demo);
    await open(demo);
    await fit();
    const key = "emploi/dim_naf";
    const lineage = new Set<string>();
    const walk = (k: string, down: boolean): void => {
      for (const e of graph.edges) {
        const [near, far] = down ? [e.from, e.to] : [e.to, e.from];
        if (near !== k) continue;
        const name = `${e.from} -> ${e.to}`;
        if (lineage.has(name)) continue;
        lineage.add(name);
        walk(far, down);
      }
    };
    walk(key, true);
    walk(key, false);
    expect(lineage.size).toBeGreaterThan(0);
    await page
      .locator(`[data-testid=asset-node][data-asset-key="${key}"] .asset-node-meta`)
      .hover();
    await expect
      .poll(async () => (await measure()).edges.filter((e) => e.dimmed).length)
      .toBe(graph.edges.length - lineage.size);
    const drawn = await measure();
    const lit = drawn.edges.filter((e) => !e.dimmed).map((e) => `${e.from} -> ${e.to}`);
    expect(lit.sort()).toEqual([...lineage].sort());
    await saveScreenshot(page, "lineage-demo-hover");
    await page.mouse.move(5, 5);
    await expect.poll(async () => (await measure()).edges.filter((e) => e.dimmed).length).toBe(0);
  });

  it("opens the asset page on a double-click", async () => {
    await open(demo);
    await page
      .locator(`[data-testid=asset-node][data-asset-key="emploi/dim_naf"] .asset-node-meta`)
      .dblclick();
    await page.locator('[data-testid=asset-page][data-asset-key="emploi/dim_naf"]').waitFor();
    expect(new URL(page.url()).pathname).toBe("/assets/emploi/dim_naf");
  });

  it("opens a 2,000-asset graph at group level and jumps to an asset from the sidebar", async () => {
    const graph = await api(estate);
    const groups = new Set(graph.nodes.map((n) => n.group));
    await page.goto(`${estate.url}/`);
    await page.locator("[data-testid=lineage][data-ready=true]").waitFor();
    await expect.poll(() => page.locator("[data-testid=group-node]").count()).toBe(groups.size);
    expect(await page.locator("[data-testid=asset-node]").count()).toBe(0);
    await page.locator("[data-testid=lineage-edge]").first().waitFor({ state: "attached" });
    await saveScreenshot(page, "lineage-2000-collapsed");
    const drawn = await measure();
    // Every edge between two groups is in one aggregated edge.
    const groupOf = new Map(graph.nodes.map((n) => [n.key, n.group]));
    const across = graph.edges.filter((e) => groupOf.get(e.from) !== groupOf.get(e.to)).length;
    expect(drawn.edges.reduce((sum, e) => sum + e.count, 0)).toBe(across);
    expect(drawn.problems).toEqual([]);
    // Laid out as a grid of rows, not one long row.
    const tops = await page
      .locator("[data-testid=group-node]")
      .evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBeGreaterThan(2);

    // Hovering a group lights its own edges only, the others stay dimmed.
    const hovered = "ventes";
    const own = drawn.edges.filter((e) => [e.from, e.to].includes(`group:${hovered}`));
    expect(own.length).toBeGreaterThan(0);
    await page
      .locator(`[data-testid=group-node][data-group="${hovered}"] .group-node-name`)
      .hover();
    await expect
      .poll(async () => (await measure()).edges.filter((e) => !e.dimmed).length)
      .toBe(own.length);
    const lit = (await measure()).edges.filter((e) => !e.dimmed);
    expect(lit.map((e) => `${e.from} -> ${e.to}`).sort()).toEqual(
      own.map((e) => `${e.from} -> ${e.to}`).sort(),
    );
    await saveScreenshot(page, "lineage-2000-hover-group");
    await page.mouse.move(5, 5);

    // Centred in the flow's pane (after a short animation).
    const pane = (await page.locator(".react-flow").boundingBox())!;
    const offCentre = async (locator: ReturnType<Page["locator"]>): Promise<number> => {
      const box = (await locator.boundingBox())!;
      return Math.max(
        Math.abs(box.x + box.width / 2 - (pane.x + pane.width / 2)),
        Math.abs(box.y + box.height / 2 - (pane.y + pane.height / 2)),
      );
    };
    const sidebar = page.locator("[data-testid=lineage-sidebar]");
    await sidebar.locator(`[data-testid=sidebar-group][data-group="ventes"]`).click();
    // The page is drawn in renders that yield to the browser: on a busy machine the 300 ms
    // animation can end later than the default second of polling.
    const settled = { timeout: 5_000 };
    await expect
      .poll(() => offCentre(page.locator(`[data-testid=group-node][data-group="ventes"]`)), settled)
      .toBeLessThan(20);

    const target = graph.nodes.find((n) => n.group === "finance")!.key;
    await sidebar.locator("input").fill(target.split("/")[1]!);
    await sidebar.locator(`[data-testid=sidebar-asset][data-asset-key="${target}"]`).click();
    const node = page.locator(`[data-testid=asset-node][data-asset-key="${target}"]`);
    await node.waitFor();
    expect(await page.locator(`[data-testid=group-node][data-group="finance"]`).count()).toBe(0);
    await expect.poll(() => offCentre(node), settled).toBeLessThan(20);
    expect(await node.getAttribute("class")).toContain("selected");
    await saveScreenshot(page, "lineage-2000-jumped");
    expect(watched.errors).toEqual([]);
  });
});
