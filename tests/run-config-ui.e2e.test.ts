import { dailyPartitions, defineAsset, Definitions, staticPartitions, z } from "@lignee/engine";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { dragAcross, saveScreenshot, type Page } from "./support/browser";
import {
  openUiBrowser,
  screenshotOnFailure,
  startUiServer,
  type UiBrowser,
  type UiServer,
} from "./support/ui-server";
import { waitFor } from "./support/wait";

/**
 * The materialise dialog's config form in a real Chromium, over a server that runs what it is
 * asked in its own process: fields built from the asset's schema with their defaults and
 * descriptions, a value out of bounds refused before anything is queued, a value only the
 * server refuses shown next to its field, and a valid config queued, given to the asset and
 * shown on the run page.
 */
const daily = dailyPartitions({ start: "2024-01-01" });
const definitions = Definitions.create({
  assets: [
    defineAsset({
      key: "demo/collect",
      partitions: daily,
      config: z.object({
        pageSize: z.number().int().min(1).max(150).default(150).describe("offers asked per page"),
        mode: z.enum(["full", "sample"]).default("full").describe("every offer, or a sample"),
        // A pattern only the server checks: its refusal is shown next to the field.
        label: z
          .string()
          .regex(/^[a-z]+$/, "lower-case letters only")
          .optional()
          .describe("a note kept with the run"),
        dryRun: z.boolean().default(false),
        departments: z.array(z.string()).default([]).describe("departments to collect"),
      }),
      async materialize(ctx) {
        return { metadata: { pageSize: ctx.config.pageSize, mode: ctx.config.mode } };
      },
    }),
    // A field without a default: every launch of this asset must go through the form.
    defineAsset({
      key: "demo/needs",
      partitions: staticPartitions(["de", "fr", "it"]),
      config: z.object({ token: z.string().min(1).describe("the API token") }),
      async materialize(ctx) {
        return { metadata: { token: ctx.config.token } };
      },
    }),
  ],
}) as Definitions<unknown>;

let server: UiServer;
let ui: UiBrowser;
let page: Page;

beforeAll(async () => {
  [server, ui] = await Promise.all([
    startUiServer({ definitions }),
    openUiBrowser({ width: 1280, height: 1000 }),
  ]);
  ({ page } = ui);
}, 60_000);

afterEach(async (context) => {
  await screenshotOnFailure("run-config", page, context.task);
});

afterAll(async () => {
  await ui?.close();
  await server?.stop();
});

const runCount = async (): Promise<number> => (await server.storage.listRuns({ limit: 50 })).length;

describe("run config form", () => {
  it("renders the schema, refuses bad values before queueing, and queues a valid config", async () => {
    await page.goto(server.url);
    await page
      .locator(`[data-testid=asset-node][data-asset-key="demo/collect"] .asset-node-meta`)
      .click();
    await page.getByTestId("materialize-selected").click();
    const dialog = page.getByTestId("materialize-dialog");
    const field = (name: string) => dialog.getByTestId(`config-field-${name}`);
    await field("pageSize").waitFor();
    expect(await field("pageSize").inputValue()).toBe("150");
    expect(await field("mode").inputValue()).toBe("full");
    expect(await field("label").inputValue()).toBe("");
    expect(await field("dryRun").isChecked()).toBe(false);
    expect(await field("departments").inputValue()).toBe("[]");
    expect(await dialog.textContent()).toContain("offers asked per page");
    await saveScreenshot(page, "run-config-1-form");

    // Out of bounds: refused by the form, nothing sent.
    await field("pageSize").fill("500");
    await dialog.getByTestId("launch-run").click();
    await expect
      .poll(() => dialog.getByTestId("config-error").allTextContents())
      .toEqual(["at most 150"]);
    expect(await field("pageSize").getAttribute("aria-invalid")).toBe("true");
    await saveScreenshot(page, "run-config-2-refused-by-the-form");
    expect(await runCount()).toBe(0);

    // Valid for the form, refused by the server: its message is shown next to the field.
    await field("pageSize").fill("20");
    await field("label").fill("Essai 1");
    await dialog.getByTestId("launch-run").click();
    await expect
      .poll(() => dialog.getByTestId("config-error").allTextContents())
      .toEqual(["lower-case letters only"]);
    expect(await field("label").getAttribute("aria-invalid")).toBe("true");
    await saveScreenshot(page, "run-config-3-refused-by-the-server");
    expect(await runCount()).toBe(0);

    // Valid: queued, run with that config, shown on the run page.
    await field("label").fill("essai");
    await field("mode").selectOption("sample");
    await field("dryRun").check();
    await field("departments").fill('["75", "13"]');
    await dialog.getByTestId("launch-run").click();
    await page.getByTestId("run-page").waitFor();
    const runId = (await page.getByTestId("run-page").getAttribute("data-run-id"))!;
    await waitFor("the run to succeed", async () =>
      (await server.storage.getRun(runId))?.status === "SUCCESS" ? true : undefined,
    );
    const shown = JSON.parse((await page.getByTestId("run-config").textContent())!) as unknown;
    expect(shown).toEqual({
      "demo/collect": {
        pageSize: 20,
        mode: "sample",
        label: "essai",
        dryRun: true,
        departments: ["75", "13"],
      },
    });
    await page.locator("[data-run-status=SUCCESS]").waitFor();
    await saveScreenshot(page, "run-config-4-run-page");
    const [materialization] = await server.storage.listMaterializations("demo/collect");
    expect(materialization?.metadata).toMatchObject({ pageSize: 20, mode: "sample" });
    expect(await runCount()).toBe(1);

    // The partition it built says which config built it.
    const day = materialization!.partitionKey;
    await page.goto(`${server.url}/assets/demo/collect`);
    await page.locator(`[data-testid=health-segment][data-partition="${day}"]`).click();
    const config = page.getByTestId("partition-config");
    await config.waitFor();
    expect(JSON.parse((await config.textContent())!)).toMatchObject({
      pageSize: 20,
      label: "essai",
    });
    await saveScreenshot(page, "run-config-5-partition");
  }, 60_000);

  it("opens the form from the asset page; its defaults are what the run gets", async () => {
    await page.goto(`${server.url}/assets/demo/collect`);
    await page.getByTestId("materialize-asset").click();
    const dialog = page.getByTestId("materialize-dialog");
    await dialog.getByTestId("config-field-pageSize").waitFor();
    await saveScreenshot(page, "run-config-6-asset-page-dialog");
    await dialog.getByTestId("launch-run").click();
    await page.getByTestId("run-page").waitFor();
    const runId = (await page.getByTestId("run-page").getAttribute("data-run-id"))!;
    await expect
      .poll(async () => (await server.storage.getRun(runId))?.config)
      .toEqual({
        "demo/collect": { pageSize: 150, mode: "full", dryRun: false, departments: [] },
      });
    await page.getByTestId("run-config").waitFor();
  }, 60_000);

  it("launches an asset with required config from every button of its page through the form", async () => {
    const needs = (key: string) =>
      page.locator(`[data-testid=health-segment][data-partition="${key}"]`);
    const dialog = page.getByTestId("materialize-dialog");
    const token = dialog.getByTestId("config-field-token");
    const launchedRun = async (): Promise<string> => {
      await page.getByTestId("run-page").waitFor();
      return (await page.getByTestId("run-page").getAttribute("data-run-id"))!;
    };
    const before = await runCount();

    // Materialise stale: the form first; launching without the token is refused by the form.
    await page.goto(`${server.url}/assets/demo/needs`);
    await page.getByTestId("materialize-asset-stale").click();
    await token.waitFor();
    expect(await dialog.getByTestId("materialize-request").textContent()).toBe(
      "The missing, stale and failed partitions.",
    );
    await dialog.getByTestId("launch-run").click();
    await expect
      .poll(() => dialog.getByTestId("config-error").allTextContents())
      .toEqual(["required"]);
    await saveScreenshot(page, "run-config-7-stale-needs-config");
    expect(await runCount()).toBe(before);
    await token.fill("t1");
    await dialog.getByTestId("launch-run").click();
    const stale = await launchedRun();
    expect((await server.storage.getRun(stale))?.config).toEqual({ "demo/needs": { token: "t1" } });
    await waitFor("the stale run to end", async () =>
      (await server.storage.getRun(stale))?.endedAt ? true : undefined,
    );

    // A partition's "Materialise KEY": the form, for that partition.
    await page.goto(`${server.url}/assets/demo/needs`);
    await needs("fr").click();
    await page.getByTestId("partition-materialize").click();
    await token.waitFor();
    expect(await dialog.getByTestId("materialize-request").textContent()).toBe("Partition fr.");
    await token.fill("t2");
    await dialog.getByTestId("launch-run").click();
    const single = await launchedRun();
    expect((await server.storage.getRun(single))?.config).toEqual({
      "demo/needs": { token: "t2" },
    });
    await waitFor("the partition's run to end", async () =>
      (await server.storage.getRun(single))?.endedAt ? true : undefined,
    );

    // A range: "Materialise 3 partitions" and "Backfill…" both ask for the config.
    await page.goto(`${server.url}/assets/demo/needs`);
    await needs("de").waitFor();
    await dragAcross(page, needs("de"), needs("it"));
    await page.getByTestId("materialize-range").click();
    await token.waitFor();
    expect(await dialog.getByTestId("materialize-request").textContent()).toBe(
      "Partitions de → it.",
    );
    await page.keyboard.press("Escape");
    await page.getByTestId("backfill-button").click();
    const backfill = page.getByTestId("backfill-dialog");
    await backfill.getByTestId("config-field-token").waitFor();
    await backfill.getByTestId("launch-backfill").click();
    await expect
      .poll(() => backfill.getByTestId("config-error").allTextContents())
      .toEqual(["required"]);
    await backfill.getByTestId("config-field-token").fill("t3");
    await saveScreenshot(page, "run-config-8-backfill-needs-config");
    await backfill.getByTestId("launch-backfill").click();
    await page.waitForURL(/\/backfills\/[0-9a-f-]+$/);
    const backfillId = page.url().split("/").at(-1)!;
    const detail = (await (await fetch(`${server.url}/api/backfills/${backfillId}`)).json()) as {
      backfill: { config: unknown };
    };
    expect(detail.backfill.config).toEqual({ "demo/needs": { token: "t3" } });
  }, 60_000);
});
