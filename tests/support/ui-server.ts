import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createServer,
  PostgresStorage,
  type Definitions,
  type RunningServer,
  type SessionLimits,
} from "@lignee/engine";
import {
  assertUiBuilt,
  launchChromium,
  saveScreenshot,
  UI_DIST,
  watchPage,
  type Browser,
  type BrowserContext,
  type Page,
} from "./browser";
import { createTestDatabase } from "./database";

/**
 * What the browser tests share: the built UI served by `createServer` over a seeded PostgreSQL
 * store (no run, no dbt build), and one Chromium page.
 */

/** A fresh test database and a storage connected to it. */
export interface UiStore {
  readonly databaseUrl: string;
  readonly storage: PostgresStorage;
}

export async function createUiStore(): Promise<UiStore> {
  const databaseUrl = await createTestDatabase();
  return { databaseUrl, storage: PostgresStorage.connect(databaseUrl) };
}

/** A temporary folder, e.g. the servers' home; `remove()` deletes it. */
export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

export async function createTempDir(prefix: string): Promise<TempDir> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface UiServerOptions {
  /** What is served; a function of the database's URL when the definitions need it (dbt). */
  readonly definitions:
    Definitions<unknown> | ((databaseUrl: string) => Promise<Definitions<unknown>>);
  /** Fills the store before the server starts. */
  readonly seed?: (storage: PostgresStorage, definitions: Definitions<unknown>) => Promise<void>;
  /** The runtime's home; by default a temporary folder of the server's own. */
  readonly home?: string;
  /** A store shared with other servers, left open by `stop()`; by default a fresh one. */
  readonly store?: UiStore;
  /** How long sign-in sessions last; by default as the environment says. */
  readonly sessions?: SessionLimits;
  /** The service token (acting as admin); by default none, whatever the environment says. */
  readonly token?: string;
}

export interface UiServer extends UiStore {
  readonly url: string;
  readonly server: RunningServer;
  readonly definitions: Definitions<unknown>;
  /** Closes the server, then the store and the home it created. */
  stop(): Promise<void>;
}

/**
 * The built UI served on a free loopback port over a seeded store, answering without a token
 * (unless `token` is given) whatever the environment says.
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  assertUiBuilt();
  delete process.env.LIGNEE_API_TOKEN;
  let ownHome: TempDir | undefined;
  const home = options.home ?? (ownHome = await createTempDir("lignee-ui-")).path;
  const store = options.store ?? (await createUiStore());
  const definitions =
    typeof options.definitions === "function"
      ? await options.definitions(store.databaseUrl)
      : options.definitions;
  await options.seed?.(store.storage, definitions);
  const server = await createServer({
    definitions,
    runtime: { storage: store.storage, databaseUrl: store.databaseUrl, home },
    port: 0,
    uiDir: UI_DIST,
    log: () => undefined,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.sessions ? { auth: { sessions: options.sessions } } : {}),
  });
  return {
    ...store,
    url: server.url,
    server,
    definitions,
    stop: async () => {
      await server.close();
      if (!options.store) await store.storage.close();
      await ownHome?.remove();
    },
  };
}

/** One Chromium with one page of the given size, whose errors are collected. */
export interface UiBrowser {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly watched: ReturnType<typeof watchPage>;
  close(): Promise<void>;
}

export async function openUiBrowser(viewport: {
  readonly width: number;
  readonly height: number;
}): Promise<UiBrowser> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  return {
    browser,
    context,
    page,
    watched: watchPage(page),
    close: async () => {
      await context.close();
      await browser.close();
    },
  };
}

/**
 * For `afterEach`: a screenshot of the page as a failed test left it, as
 * test-results/screenshots/PREFIX-failed-TEST.png.
 */
export async function screenshotOnFailure(
  prefix: string,
  page: Page | undefined,
  task: { readonly name: string; readonly result?: { readonly state?: string } },
): Promise<void> {
  if (task.result?.state !== "fail" || !page || page.isClosed()) return;
  const name = task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
  await saveScreenshot(page, `${prefix}-failed-${name}`).catch(() => undefined);
}
