import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertUiBuilt, saveScreenshot } from "./support/browser";
import { startLigneeDev, type DevServer } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { openUiBrowser, type UiBrowser } from "./support/ui-server";

/**
 * The UI of `lignee dev` while its definitions are loaded again, in a real Chromium: the top
 * bar says when they were loaded; a change of the files shows in the lineage without reloading
 * the page; a failed reload shows why above the page while the previous assets stay; the
 * Reload button loads them on demand.
 */
let databaseUrl: string;
let project: string;
let defs: string;
let server: DevServer | undefined;
let ui: UiBrowser | undefined;

const definitionsFile = (keys: readonly string[]): string => `
import { Definitions, defineAsset } from "@lignee/engine";
export default Definitions.create({
  assets: ${JSON.stringify(keys)}.map((key) => defineAsset({ key, async materialize() { return {}; } })),
});
`;

beforeAll(async () => {
  assertUiBuilt();
  databaseUrl = await createTestDatabase();
});

afterEach(async () => {
  await ui?.close();
  await server?.stop();
  await rm(project, { recursive: true, force: true });
});

async function start(keys: readonly string[], devArgs: readonly string[]) {
  project = await mkdtemp(path.join(tmpdir(), "lignee-reload-ui-"));
  defs = path.join(project, "definitions.ts");
  await writeFile(defs, definitionsFile(keys));
  server = await startLigneeDev(
    ["--definitions", defs],
    { DATABASE_URL: databaseUrl, LIGNEE_API_TOKEN: "" },
    { devArgs },
  );
  ui = await openUiBrowser({ width: 1280, height: 720 });
  await ui.page.goto(server.url);
  return ui.page;
}

const nodeNames = async (page: UiBrowser["page"]): Promise<string[]> =>
  (await page.getByTestId("asset-node").allTextContents()).map((t) => t.trim());

describe("the UI while definitions reload", () => {
  it("follows changed files, and shows a failed reload above the page", async () => {
    const page = await start(["shop/orders"], ["--no-scheduler"]);
    const status = page.getByTestId("definitions-status");
    await expect.poll(() => status.textContent()).toMatch(/Loaded \d/);
    await expect.poll(() => nodeNames(page)).toEqual([expect.stringMatching(/orders/)]);
    const firstLoaded = await status.locator("time").getAttribute("datetime");

    await writeFile(defs, definitionsFile(["shop/orders", "shop/customers"]));
    // The lineage shows the new asset without the page being reloaded.
    await expect.poll(() => nodeNames(page), { timeout: 20_000 }).toHaveLength(2);
    await expect.poll(() => status.locator("time").getAttribute("datetime")).not.toBe(firstLoaded);

    await writeFile(defs, "export default {;\n");
    const banner = page.getByTestId("definitions-error");
    await expect.poll(() => banner.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await banner.textContent()).toMatch(
      /could not be loaded again.*keep serving.*definitions\.ts does not compile/s,
    );
    // The previous definitions keep serving.
    expect(await nodeNames(page)).toHaveLength(2);
    // The top bar holds the state without spilling over the page's width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      1280,
    );
    await saveScreenshot(page, "definitions-reload-failed");

    await writeFile(defs, definitionsFile(["shop/orders"]));
    await expect.poll(() => banner.isVisible(), { timeout: 20_000 }).toBe(false);
    await expect.poll(() => nodeNames(page), { timeout: 20_000 }).toHaveLength(1);
  });

  it("loads them on demand with the Reload button", async () => {
    const page = await start(["shop/orders"], ["--no-scheduler", "--no-watch"]);
    const button = page.getByTestId("reload-definitions");
    await expect.poll(() => button.isVisible()).toBe(true);
    await writeFile(defs, definitionsFile(["shop/orders", "shop/invoices"]));
    await page.waitForTimeout(1_000);
    expect(await nodeNames(page)).toHaveLength(1);

    await button.click();
    await expect.poll(() => nodeNames(page), { timeout: 20_000 }).toHaveLength(2);
    await saveScreenshot(page, "definitions-reloaded");
  });
});
