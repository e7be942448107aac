import {
  AssetDetailBody,
  dailyPartitions,
  defineAsset,
  Definitions,
  multiPartitions,
  partitionsLayout,
  staticPartitions,
  type PostgresStorage,
} from "@lignee/engine";
import type { AssetGraph } from "@lignee/engine/wire";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveScreenshot, type Page } from "./support/browser";
import { day, seedMaterialization, seedRun } from "./support/seed-partitions";
import { openUiBrowser, startUiServer, type UiBrowser, type UiServer } from "./support/ui-server";

/**
 * A two-dimensional asset whose static keys changed under its history (a région added): its
 * page says so and why, its partitions read as never materialised, and the rest of the graph
 * (the asset list, its upstream) is shown as usual.
 */
const BEFORE = ["11", "84", "93"];
const NOW = ["11", "84", "93", "75"];
const D = (n: number) => day(n).key;
const start = D(10);
const grid = (regions: string[]) =>
  multiPartitions({ date: dailyPartitions({ start }), region: staticPartitions(regions) });

const definitions = Definitions.create({
  assets: [
    defineAsset({
      key: "raw/days",
      partitions: dailyPartitions({ start }),
      materialize: async () => undefined,
    }),
    defineAsset({
      key: "regions/days",
      deps: ["raw/days"],
      partitions: grid(NOW),
      materialize: async () => undefined,
    }),
  ],
}) as Definitions<unknown>;

async function seed(storage: PostgresStorage, defs: Definitions<unknown>): Promise<void> {
  const runId = await seedRun(storage, ["raw/days", "regions/days"]);
  const days = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  await seedMaterialization(storage, defs, {
    runId,
    assetKey: "raw/days",
    partitions: days.map((n) => day(n)),
  });
  // Written while the asset had three régions.
  await seedMaterialization(storage, defs, {
    runId,
    assetKey: "regions/days",
    partitions: days.flatMap((n) =>
      BEFORE.map((r, i) => ({ key: `${D(n)}|${r}`, index: day(n).index * BEFORE.length + i })),
    ),
    partitionsLayout: partitionsLayout(grid(BEFORE)),
  });
}

let server: UiServer;
let ui: UiBrowser;
let page: Page;

beforeAll(async () => {
  [server, ui] = await Promise.all([
    startUiServer({ definitions, seed }),
    openUiBrowser({ width: 1280, height: 800 }),
  ]);
  page = ui.page;
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await server?.stop();
});

describe("an asset whose partitions changed since its history was written", () => {
  it("leaves the asset list and its upstream as they are", async () => {
    const res = await fetch(`${server.url}/api/assets`);
    expect(res.status).toBe(200);
    const { nodes } = (await res.json()) as AssetGraph;
    expect(nodes.find((a) => a.key === "raw/days")?.status).toBe("FRESH");
    expect(nodes.find((a) => a.key === "regions/days")?.causes.map((c) => c.kind)).toEqual([
      "partitions-changed",
    ]);
    const detail = await fetch(`${server.url}/api/assets/regions/days`);
    expect(detail.status).toBe(200);
    const body = AssetDetailBody.parse(await detail.json());
    expect(body.status).toBe("MISSING");
    expect(body.counts.FRESH).toBe(0);
    expect(body.causes.map((c) => c.kind)).toEqual(["partitions-changed"]);
  });

  it("is refused a run, before one is created", async () => {
    const res = await fetch(`${server.url}/api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ selection: "regions/days", partition: `${D(1)}|75` }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /asset regions\/days: its partitions changed since it was materialised/,
    );
    const runs = (await (await fetch(`${server.url}/api/runs`)).json()) as { runs: unknown[] };
    expect(runs.runs).toHaveLength(1);
  });

  it("says why on its page, and offers nothing stale to materialise", async () => {
    await page.goto(`${server.url}/assets/regions/days`);
    const causes = page.getByTestId("stale-causes");
    await causes.waitFor();
    expect(await causes.textContent()).toMatch(
      /partitions changed since its history was written.*revert the change, or declare the new partitions under a new asset key/,
    );
    expect(await page.getByTestId("materialize-asset-stale").isDisabled()).toBe(true);
    await saveScreenshot(page, "partitions-changed");
  });
});
