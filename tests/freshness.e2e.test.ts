import { formatDateKey, parseDateKey, type Definitions } from "@lignee/engine";
import type { AssetDetail, AssetNode } from "@lignee/engine/wire";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import freshnessDefinitions from "./fixtures/freshness";
import { saveScreenshot, type Page } from "./support/browser";
import type { ChildProcess } from "node:child_process";
import { fixture, lignee } from "./support/cli";
import { connectSql } from "./support/sql";
import { waitFor } from "./support/wait";
import { day, seedMaterialization, seedRun } from "./support/seed-partitions";
import {
  openUiBrowser,
  screenshotOnFailure,
  startUiServer,
  type UiBrowser,
  type UiServer,
} from "./support/ui-server";

/**
 * Freshness as users see it, over a seeded store (no scheduler, no run): `raw/late` was never
 * materialised and has been overdue since 2024-08-02 07:00 Paris; `raw/ontime` has every day up
 * to yesterday; `ref/lookup` (at most 2 hours old) was never materialised.
 */
const definitions = freshnessDefinitions as Definitions<unknown>;
let server: UiServer;
let ui: UiBrowser;
let page: Page;

beforeAll(async () => {
  [server, ui] = await Promise.all([
    startUiServer({
      definitions,
      seed: async (storage, defs) => {
        const runId = await seedRun(storage, ["raw/ontime"]);
        const partitions = [];
        for (let i = parseDateKey("2024-08-01")!; i <= day(1).index; i++)
          partitions.push({ key: formatDateKey(i), index: i });
        await seedMaterialization(storage, defs, { runId, assetKey: "raw/ontime", partitions });
      },
    }),
    openUiBrowser({ width: 1280, height: 760 }),
  ]);
  ({ page } = ui);
}, 120_000);

afterEach(({ task }) => screenshotOnFailure("freshness", page, task));

afterAll(async () => {
  await ui?.close();
  await server?.stop();
});

const LATE = {
  state: "overdue",
  since: "2024-08-02T05:00:00.000Z",
  partitionKey: "2024-08-01",
  policy: 'previous partition by "0 7 * * *" (Europe/Paris)',
};

describe("the API and the CLI", () => {
  it("carry freshness on nodes and in the asset detail", async () => {
    const nodes = (
      (await (await fetch(`${server.url}/api/assets`)).json()) as { nodes: AssetNode[] }
    ).nodes;
    const byKey = new Map(nodes.map((n) => [n.key, n.freshness]));
    expect(byKey.get("raw/late")).toMatchObject(LATE);
    expect(byKey.get("raw/ontime")).toMatchObject({ state: "fresh", since: null, lagSeconds: 0 });
    expect(byKey.get("ref/lookup")).toMatchObject({
      state: "overdue",
      since: null,
      lagSeconds: null,
      policy: "at most 2h old",
    });
    expect(byKey.get("mart/report")).toBeNull();
    const detail = (await (await fetch(`${server.url}/api/assets/raw/late`)).json()) as AssetDetail;
    expect(detail.freshness).toMatchObject(LATE);
  });

  it("lignee status shows what is overdue, since when and which partition", async () => {
    const env = { DATABASE_URL: server.databaseUrl };
    const args = ["--definitions", fixture("freshness.ts"), "status"];
    const [text, json] = await Promise.all([lignee(args, env), lignee([...args, "--json"], env)]);
    expect(text.code).toBe(0);
    const line = (key: string) => text.stdout.split("\n").find((l) => l.startsWith(key)) ?? "";
    expect(line("raw/late")).toContain("OVERDUE since 2024-08-02 07:00 Europe/Paris (2024-08-01 +");
    expect(line("raw/ontime")).not.toContain("OVERDUE");
    expect(line("ref/lookup")).toContain("OVERDUE (never materialised)");
    expect(json.code).toBe(0);
    const assets = (JSON.parse(json.stdout) as { assets: { key: string; freshness: unknown }[] })
      .assets;
    expect(assets.find((a) => a.key === "raw/late")!.freshness).toMatchObject(LATE);
    expect(assets.find((a) => a.key === "mart/report")!.freshness).toBeNull();
  });
});

describe("lignee scheduler", () => {
  it("records the overdue assets as alert events, once", async () => {
    let child: ChildProcess | undefined;
    const done = lignee(
      ["--definitions", fixture("freshness.ts"), "scheduler"],
      { DATABASE_URL: server.databaseUrl, LIGNEE_SCHEDULER_INTERVAL_MS: "200" },
      (c) => (child = c),
    );
    const sql = await connectSql(server.databaseUrl);
    try {
      const events = async () =>
        (
          await sql.query<{ dedupe_key: string }>(
            "SELECT dedupe_key FROM lignee.alert_events WHERE kind = 'freshness_overdue' ORDER BY dedupe_key",
          )
        ).rows.map((r) => r.dedupe_key);
      await waitFor("two overdue events", async () =>
        (await events()).length >= 2 ? true : undefined,
      );
      // A few more evaluations change nothing.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await events()).toEqual([
        "freshness_overdue:raw/late:2024-08-02T05:00:00.000Z",
        "freshness_overdue:ref/lookup:never",
      ]);
    } finally {
      await sql.end();
      child?.kill("SIGTERM");
      expect((await done).code).toBe(0);
    }
  });
});

describe("the UI", () => {
  const badge = (key: string) =>
    page.locator(`[data-testid=asset-node][data-asset-key="${key}"] [data-testid=freshness-badge]`);

  for (const theme of ["light", "dark"] as const) {
    it(`shows overdue on lineage nodes and in the catalog (${theme})`, async () => {
      await page.emulateMedia({ colorScheme: theme });
      await page.goto(`${server.url}/`);
      await page.locator("[data-testid=lineage][data-ready=true]").waitFor();
      await badge("raw/late").waitFor();
      expect(await badge("raw/late").textContent()).toBe("Overdue since Aug 2, 2024");
      expect(await badge("raw/late").getAttribute("title")).toContain("partition 2024-08-01 and");
      expect(await badge("ref/lookup").textContent()).toBe("Overdue · never materialised");
      expect(await badge("raw/ontime").count()).toBe(0);
      expect(await badge("mart/report").count()).toBe(0);
      await saveScreenshot(page, `freshness-lineage-${theme}`);

      await page.goto(`${server.url}/catalog`);
      await page.getByTestId("catalog").waitFor();
      const cell = (key: string) =>
        page.locator(
          `[data-testid=catalog-row][data-asset-key="${key}"] [data-testid=catalog-freshness-cell]`,
        );
      expect(await cell("raw/late").textContent()).toMatch(/^Overdue since/);
      expect(await cell("raw/ontime").textContent()).toBe("On time");
      expect(await cell("mart/report").textContent()).toBe("–");
      await page.getByTestId("catalog-freshness").selectOption("overdue");
      await expect.poll(() => page.getByTestId("catalog").getAttribute("data-count")).toBe("2");
      expect(page.url()).toContain("freshness=overdue");
      await saveScreenshot(page, `freshness-catalog-${theme}`);
    });
  }

  it("counts the overdue assets of a collapsed group", async () => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${server.url}/`);
    await page.locator("[data-testid=lineage][data-ready=true]").waitFor();
    await page.locator('[data-testid=group-collapse][data-group="collecte"]').click();
    const group = page.locator('[data-testid=group-node][data-group="collecte"]');
    await group.waitFor();
    expect(await group.getByTestId("group-overdue").textContent()).toBe("1 overdue");
    expect(await group.getAttribute("title")).toContain("1 overdue");
    await saveScreenshot(page, "freshness-group");
    await group.getByTestId("group-expand").click();
    await group.waitFor({ state: "detached" });
  });

  it("shows it on the asset page", async () => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${server.url}/assets/raw/late`);
    const badge = page.getByTestId("asset-freshness");
    await badge.waitFor();
    expect(await badge.textContent()).toMatch(/^Overdue since Aug 2/);
    await saveScreenshot(page, "freshness-asset-page");
  });
});
