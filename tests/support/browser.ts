import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { REPO_ROOT } from "./cli";

// For callers outside tests/ (bench/), which do not depend on playwright-core themselves.
export type { Browser, BrowserContext, Page } from "playwright-core";

/**
 * A real headless Chromium for the browser tests and `pnpm bench ui`: the one of
 * LIGNEE_CHROMIUM (what `scripts/browser-setup.sh` prints, exported by `scripts/test.sh`),
 * else the distribution's /usr/bin/chromium.
 */
export function chromiumExecutable(): string {
  const fromEnv = process.env.LIGNEE_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`LIGNEE_CHROMIUM=${fromEnv} does not exist`);
    return fromEnv;
  }
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  throw new Error(
    "no Chromium: run `bash scripts/browser-setup.sh` and set LIGNEE_CHROMIUM to the path it prints",
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumExecutable(),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** The built UI that `lignee dev` serves; the browser tests need it (`pnpm --filter @lignee/ui build`). */
export const UI_DIST = path.join(REPO_ROOT, "packages/ui/dist");

export function assertUiBuilt(dir = UI_DIST): void {
  if (!existsSync(path.join(dir, "index.html"))) {
    throw new Error(`the UI is not built in ${dir}: run \`pnpm --filter @lignee/ui build\` first`);
  }
}

export const SCREENSHOTS_DIR = path.join(REPO_ROOT, "test-results/screenshots");

/** Saves a full-page PNG as test-results/screenshots/NAME.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Collects what goes wrong inside the page: uncaught exceptions, and console errors (failed
 * requests included, which the caller may expect, e.g. a 401 before the token is given).
 */
export function watchPage(page: Page): { readonly errors: string[]; readonly console: string[] } {
  const errors: string[] = [];
  const consoleErrors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.stack ?? error.message));
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  return { errors, console: consoleErrors };
}

/** Drags the mouse from the centre of one element to the centre of another (e.g. health-bar cells). */
export async function dragAcross(page: Page, from: Locator, to: Locator): Promise<void> {
  const start = (await from.boundingBox())!;
  const end = (await to.boundingBox())!;
  await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
  await page.mouse.down();
  await page.mouse.move(end.x + end.width / 2, end.y + end.height / 2, { steps: 8 });
  await page.mouse.up();
}
