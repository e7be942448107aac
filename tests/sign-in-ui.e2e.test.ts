import {
  defineAsset,
  Definitions,
  hashPassword,
  PostgresAuthStore,
  type Role,
} from "@lignee/engine";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { saveScreenshot, type BrowserContext, type Page } from "./support/browser";
import { startLigneeDev } from "./support/cli";
import {
  createTempDir,
  createUiStore,
  openUiBrowser,
  screenshotOnFailure,
  startUiServer,
  type UiBrowser,
  type UiServer,
  type UiStore,
} from "./support/ui-server";
import { sleep } from "./support/wait";

/**
 * Sign-in, roles and the audit trail in a real Chromium, over a server with users in
 * PostgreSQL: the app asks to sign in, refuses a wrong password with the server's one message,
 * shows who is signed in, signs out for good; an ended session sends back to the sign-in page
 * and then to where the user was; a viewer's launch is refused where it was tried, and nothing
 * is queued; the audit trail lists an operator's launch; a token made on the account page is
 * shown once, works, and stops working once revoked; an admin manages users; without users, the
 * single-user badge and no sign-in.
 */
const definitions = Definitions.create({
  assets: [
    defineAsset({
      key: "demo/hello",
      async materialize() {
        return { metadata: { greeting: "bonjour" } };
      },
    }),
  ],
}) as Definitions<unknown>;

// The admin first: the first user must be one.
const PASSWORDS: Readonly<Record<string, string>> = {
  root: "root-password-12345",
  alice: "alice-password-1234",
  victor: "victor-password-1234",
};
const ROLES: Readonly<Record<string, Role>> = {
  root: "admin",
  alice: "operator",
  victor: "viewer",
};

let store: UiStore;
let auth: PostgresAuthStore;
let server: UiServer;
let ui: UiBrowser;
let page: Page;

beforeAll(async () => {
  store = await createUiStore();
  auth = PostgresAuthStore.connect(store.databaseUrl);
  for (const name of Object.keys(PASSWORDS)) {
    await auth.addUser({
      name,
      role: ROLES[name]!,
      passwordHash: await hashPassword(PASSWORDS[name]!),
      at: new Date(),
    });
  }
  [server, ui] = await Promise.all([
    startUiServer({ definitions, store }),
    openUiBrowser({ width: 1280, height: 800 }),
  ]);
  ({ page } = ui);
}, 60_000);

afterEach(async (context) => {
  await screenshotOnFailure("sign-in", page, context.task);
});

afterAll(async () => {
  await ui?.close();
  await server?.stop();
  await auth?.close();
  await store?.storage.close();
});

/** A fresh browser context (no cookie) with one page, closed by the caller. */
async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await ui.browser.newContext({ viewport: { width: 1280, height: 800 } });
  return { context, page: await context.newPage() };
}

async function signIn(p: Page, name: string, password = PASSWORDS[name]!): Promise<void> {
  const form = p.getByTestId("sign-in-form");
  await form.waitFor();
  await p.getByTestId("sign-in-name").fill(name);
  await p.getByTestId("sign-in-password").fill(password);
  await p.getByTestId("sign-in-submit").click();
}

/** Every tab of the top bar is whole, inside the window and the first thing at its centre. */
async function expectEveryTabVisible(p: Page, width: number): Promise<void> {
  const tabs = p.locator(".topbar nav a");
  const count = await tabs.count();
  expect(count).toBeGreaterThanOrEqual(8);
  const nav = p.locator(".topbar nav");
  expect(await nav.evaluate((n) => n.scrollWidth <= n.clientWidth)).toBe(true);
  for (let i = 0; i < count; i++) {
    const box = (await tabs.nth(i).boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(width);
    const hit = await tabs
      .nth(i)
      .evaluate((tab, at) => tab.contains(document.elementFromPoint(at.x, at.y)), {
        x: box.x + box.width / 2,
        y: box.y + box.height / 2,
      });
    expect(hit, (await tabs.nth(i).textContent()) ?? "").toBe(true);
  }
  expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

async function setTheme(p: Page, theme: "light" | "dark"): Promise<void> {
  await p.getByTestId("theme-switch").selectOption(theme);
}

/** Screenshots of the page as it is, in the light and the dark theme. */
async function bothThemes(p: Page, name: string): Promise<void> {
  await setTheme(p, "light");
  await saveScreenshot(p, `${name}-light`);
  await setTheme(p, "dark");
  await saveScreenshot(p, `${name}-dark`);
  await setTheme(p, "light");
}

describe("signing in and out", () => {
  it("asks to sign in, refuses a wrong password, shows who is signed in, signs out for good", async () => {
    await page.goto(`${server.url}/runs`);
    await page.getByTestId("sign-in-form").waitFor();
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/runs");
    expect(await page.getByTestId("runs-page").count()).toBe(0);
    // A first visit: no session ended.
    expect(await page.getByTestId("sign-in-ended").count()).toBe(0);
    await bothThemes(page, "sign-in-1-form");

    await signIn(page, "alice", "not-her-password");
    const error = page.getByTestId("sign-in-error");
    await error.waitFor();
    expect(await error.textContent()).toBe("invalid user name or password");
    // An unknown user gets the very same words.
    await signIn(page, "nobody", "whatever-password");
    // A refusal empties the password field: then its message is the one shown (not the
    // previous one's, still there while the request was on its way).
    await expect.poll(() => page.getByTestId("sign-in-password").inputValue()).toBe("");
    expect(await error.textContent()).toBe("invalid user name or password");
    await bothThemes(page, "sign-in-2-refused");

    await signIn(page, "alice");
    await page.getByTestId("runs-page").waitFor();
    expect(new URL(page.url()).pathname).toBe("/runs");
    const user = page.getByTestId("session-user");
    expect(await user.getByTestId("account-link").textContent()).toBe("alice");
    expect(await user.textContent()).toContain("· operator");
    // An operator sees the audit trail, not the users.
    expect(await page.locator("nav a", { hasText: "Audit" }).count()).toBe(1);
    expect(await page.locator("nav a", { hasText: "Users" }).count()).toBe(0);
    await bothThemes(page, "sign-in-3-signed-in");

    // On to another page, then sign out there.
    await page.locator("nav a", { hasText: "Audit" }).click();
    await page.getByTestId("audit-page").waitFor();
    await page.getByTestId("sign-out").click();
    await page.getByTestId("sign-in-form").waitFor();
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    // Signed out on purpose: not a session that ended under the page.
    expect(await page.getByTestId("sign-in-ended").count()).toBe(0);
    // Back to the runs page: the sign-in page again, nothing of the data shown.
    await page.goBack();
    await expect.poll(() => new URL(page.url()).searchParams.get("next")).toBe("/runs");
    await page.getByTestId("sign-in-form").waitFor();
    expect(await page.getByTestId("runs-page").count()).toBe(0);
    expect(await page.getByTestId("session-user").count()).toBe(0);
    const session = (await (await page.request.get(`${server.url}/api/session`)).json()) as {
      user: unknown;
    };
    expect(session.user).toBeNull();
  }, 60_000);
});

describe("a token kept from before users were added", () => {
  it("is dropped, so that signing in works", async () => {
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${server.url}/sign-in`);
      await p.evaluate(() => sessionStorage.setItem("lignee.apiToken", "lgn_long-revoked"));
      await p.goto(`${server.url}/runs`);
      await signIn(p, "alice");
      await p.getByTestId("runs-page").waitFor();
      expect(await p.getByTestId("session-user").getByTestId("account-link").textContent()).toBe(
        "alice",
      );
      expect(await p.evaluate(() => sessionStorage.getItem("lignee.apiToken"))).toBeNull();
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe("too many failed sign-ins", () => {
  it("says how long to wait", async () => {
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${server.url}/sign-in`);
      const error = p.getByTestId("sign-in-error");
      // Five refusals for one name; the sixth attempt is refused before any password is checked.
      for (let attempt = 1; attempt <= 5; attempt++) {
        await signIn(p, "mallory", `wrong-password-${attempt}`);
        await expect.poll(() => p.getByTestId("sign-in-password").inputValue()).toBe("");
        expect(await error.textContent()).toBe("invalid user name or password");
      }
      await signIn(p, "mallory", "wrong-password-6");
      await expect
        .poll(() => error.textContent())
        .toMatch(/^Too many failed sign-ins; try again in 1[45] minutes$/);
      await bothThemes(p, "sign-in-2b-rate-limited");
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe("roles", () => {
  it("refuses a viewer's launch where it was tried, and queues nothing", async () => {
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${server.url}/assets/demo/hello`);
      await signIn(p, "victor");
      await p.getByTestId("asset-page").waitFor();
      expect(await p.getByTestId("session-user").textContent()).toContain("· viewer");
      await p.getByTestId("materialize-asset").click();
      const refused = p.locator("[data-testid=error][data-status='403']");
      await refused.waitFor();
      expect(await refused.textContent()).toBe(
        "Not allowed: your role (viewer) may not POST /api/runs",
      );
      await bothThemes(p, "sign-in-4-viewer-refused");
      // Nothing queued: neither in the database nor for the API.
      expect(await server.storage.listRuns({ limit: 10 })).toEqual([]);
      const runs = (await (await p.request.get(`${server.url}/api/runs`)).json()) as {
        runs: unknown[];
      };
      expect(runs.runs).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it("says a refused maintenance in line with the operations page", async () => {
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${server.url}/operations`);
      await signIn(p, "victor");
      await p.getByTestId("maintenance-run").click();
      const refused = p.locator("[data-testid=error][data-status='403']");
      await refused.waitFor();
      expect(await refused.textContent()).toBe(
        "Not allowed: your role (viewer) may not POST /api/operations/maintenance",
      );
      // Its left edge is the page's, like the panel's heading above it.
      const line = (await refused.boundingBox())!;
      const panel = (await p.getByTestId("maintenance-panel").boundingBox())!;
      expect(Math.round(line.x)).toBe(Math.round(panel.x));
      await bothThemes(p, "sign-in-4e-maintenance-refused");
    } finally {
      await context.close();
    }
  }, 60_000);

  it("lists an operator's launch in the audit trail", async () => {
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${server.url}/assets/demo/hello`);
      await signIn(p, "alice");
      await p.getByTestId("materialize-asset").click();
      await p.getByTestId("run-page").waitFor();
      const runId = (await p.getByTestId("run-page").getAttribute("data-run-id"))!;
      expect((await server.storage.getRun(runId))?.launchedBy).toEqual({
        kind: "api",
        detail: "alice",
      });

      await p.locator("nav a", { hasText: "Audit" }).click();
      const launch = p.locator("[data-testid=audit-event][data-action='run.launch']");
      await launch.waitFor();
      expect(await launch.count()).toBe(1);
      expect(await launch.getAttribute("data-actor")).toBe("alice");
      expect(await launch.textContent()).toContain("(user)");
      expect(await launch.locator("a").getAttribute("href")).toBe(`/runs/${runId}`);
      // The sign-ins are there too, newest first; the actor filter keeps alice's lines only.
      await p.getByTestId("audit-actor").fill("victor");
      await expect
        .poll(() =>
          p
            .getByTestId("audit-event")
            .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-actor"))),
        )
        .toEqual(expect.arrayContaining(["victor"]));
      expect(await p.locator("[data-testid=audit-event]:not([data-actor=victor])").count()).toBe(0);
      await p.getByTestId("audit-actor").fill("");
      await p.getByTestId("audit-action").fill("run.launch");
      await expect.poll(() => p.getByTestId("audit-event").count()).toBe(1);
      await p.getByTestId("audit-action").fill("");
      await launch.waitFor();
      await bothThemes(p, "sign-in-5-audit");
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe("a refused reload", () => {
  it("says why under the top bar's Reload button", async () => {
    const project = await createTempDir("lignee-sign-in-reload-");
    const file = path.join(project.path, "definitions.ts");
    await writeFile(
      file,
      `import { Definitions, defineAsset } from "@lignee/engine";
export default Definitions.create({
  assets: [defineAsset({ key: "shop/orders", async materialize() { return {}; } })],
});
`,
    );
    // The same database as the other tests: its users sign in to this server too.
    const dev = await startLigneeDev(["--definitions", file], {
      DATABASE_URL: store.databaseUrl,
      LIGNEE_API_TOKEN: "",
    });
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${dev.url}/assets/shop/orders`);
      await signIn(p, "victor");
      const materialize = p.getByTestId("materialize-asset");
      await materialize.waitFor();
      await p.getByTestId("reload-definitions").click();
      const refused = p.locator(".reload-refused [data-testid=error][data-status='403']");
      await refused.waitFor();
      expect(await refused.textContent()).toBe(
        "Not allowed: your role (viewer) may not POST /api/definitions/reload",
      );
      // Said between the top bar and the page, which moves down: it covers none of its buttons.
      const message = (await p.locator(".reload-refused").boundingBox())!;
      const bar = (await p.locator("header.topbar").boundingBox())!;
      expect(message.y).toBeGreaterThanOrEqual(bar.y + bar.height);
      const button = (await materialize.boundingBox())!;
      expect(button.y).toBeGreaterThanOrEqual(message.y + message.height);
      await bothThemes(p, "sign-in-4b-reload-refused");
      await p.getByTestId("reload-refused-close").click();
      await refused.waitFor({ state: "detached" });

      // An admin's bar, the longest (Users tab, Reload button), keeps every tab in 1280 px.
      await p.getByTestId("sign-out").click();
      await signIn(p, "root");
      const users = p.locator("nav a", { hasText: "Users" });
      await users.waitFor();
      const nav = (await p.locator(".topbar nav").boundingBox())!;
      const tab = (await users.boundingBox())!;
      expect(tab.x + tab.width).toBeLessThanOrEqual(nav.x + nav.width);
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        1280,
      );
      await saveScreenshot(p, "sign-in-4c-admin-top-bar");

      // At 1024 px the tabs take a second row: each is whole, in view and clickable.
      await p.setViewportSize({ width: 1024, height: 800 });
      await expectEveryTabVisible(p, 1024);
      await bothThemes(p, "sign-in-4d-admin-top-bar-1024");
      await p.locator("nav a", { hasText: "Users" }).click();
      await p.getByTestId("users-page").waitFor();
    } finally {
      await context.close();
      expect(await dev.stop(), dev.output()).toBe(0);
      await project.remove();
    }
  }, 90_000);
});

describe("the audit page", () => {
  it("says a refused sign-in's name as typed, and the token a line was written with", async () => {
    const at = Date.now();
    await auth.recordAudit({
      actor: "mallory-typed",
      actorKind: "user",
      action: "session.sign-in-refused",
      target: null,
      detail: { address: "127.0.0.1", reason: "invalid" },
      at: new Date(at),
    });
    await auth.recordAudit({
      actor: "carol",
      actorKind: "user",
      action: "run.launch",
      target: "0b5e6a40-0000-4000-8000-000000000000",
      detail: { token: "nightly (#42)", selection: "demo/hello" },
      at: new Date(at + 1),
    });
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${server.url}/audit`);
      await signIn(p, "victor");
      await p.getByTestId("audit-page").waitFor();
      const refused = p.locator("[data-testid=audit-event][data-actor=mallory-typed]");
      await refused.waitFor();
      expect(await refused.getByTestId("audit-kind").textContent()).toBe("(name typed)");
      const launch = p.locator("[data-testid=audit-event][data-actor=carol]");
      await launch.waitFor();
      expect(await launch.getByTestId("audit-token").textContent()).toBe(
        "with token nightly (#42)",
      );
      expect(await launch.locator("td").nth(4).textContent()).toBe("selection: demo/hello");
      // As the server writes it: a run launched with an operator's token names the token.
      const alice = await freshPage();
      try {
        await alice.page.goto(`${server.url}/account`);
        await signIn(alice.page, "alice");
        await alice.page.getByTestId("account-page").waitFor();
        await alice.page.getByTestId("token-label").fill("nightly-run");
        await alice.page.getByTestId("token-scope").selectOption("operate");
        await alice.page.getByTestId("token-create-submit").click();
        const secret = await alice.page.getByTestId("token-secret").inputValue();
        const tokenId = await alice.page
          .locator("[data-testid=token-row][data-label=nightly-run]")
          .getAttribute("data-token-id");
        const launched = await fetch(`${server.url}/api/runs`, {
          method: "POST",
          headers: { Authorization: `Bearer ${secret}`, "Content-Type": "application/json" },
          body: JSON.stringify({ selection: "demo/hello" }),
        });
        expect(launched.status).toBe(201);
        // Read again now rather than at the page's next refresh.
        await p.reload();
        const viaToken = p.locator(
          "[data-testid=audit-event][data-actor=alice][data-action='run.launch']:has([data-testid=audit-token])",
        );
        await viaToken.waitFor({ timeout: 20_000 });
        expect(await viaToken.getByTestId("audit-token").textContent()).toBe(
          `with token nightly-run (#${tokenId})`,
        );
      } finally {
        await alice.context.close();
      }
      // The filter offers the families of actions as well as the actions.
      const offered = await p
        .locator("#audit-actions option")
        .evaluateAll((o) => o.map((e) => e.getAttribute("value")));
      expect(offered).toEqual(expect.arrayContaining(["token", "session", "token.create"]));
      await bothThemes(p, "sign-in-5c-audit-who");
      // A family: every session.* line, the refused sign-ins among them, and nothing else.
      await p.getByTestId("audit-action").fill("session");
      await refused.waitFor();
      await expect
        .poll(() => p.locator("[data-testid=audit-event][data-actor=carol]").count())
        .toBe(0);
      const actions = await p
        .getByTestId("audit-event")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-action") ?? ""));
      expect(actions.length).toBeGreaterThan(1);
      expect(actions.every((a) => a.startsWith("session."))).toBe(true);
      expect(actions).toContain("session.sign-in-refused");
    } finally {
      await context.close();
    }
  }, 60_000);

  it("pages through older lines and back", async () => {
    // 120 lines of one actor, as the CLI records them, a second apart (the newest last).
    const start = Date.now() - 3_600_000;
    for (let i = 0; i < 120; i++) {
      await auth.recordAudit({
        actor: "cron-bot",
        actorKind: "cli",
        action: "user.set-role",
        target: `user-${String(i).padStart(3, "0")}`,
        detail: { role: "viewer" },
        at: new Date(start + i * 1_000),
      });
    }
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${server.url}/audit`);
      await signIn(p, "victor");
      await p.getByTestId("audit-page").waitFor();
      await p.getByTestId("audit-actor").fill("cron-bot");
      const targets = () =>
        p.locator("[data-testid=audit-event] td:nth-child(4)").allTextContents();
      await expect.poll(async () => (await targets())[0]).toBe("user-119");
      expect(await targets()).toHaveLength(50);
      expect(await p.getByTestId("audit-newer").isDisabled()).toBe(true);

      await p.getByTestId("audit-older").click();
      await expect.poll(async () => (await targets())[0]).toBe("user-069");
      expect(await targets()).toHaveLength(50);
      await p.getByTestId("audit-older").click();
      await expect.poll(async () => (await targets())[0]).toBe("user-019");
      expect((await targets()).at(-1)).toBe("user-000");
      expect(await p.getByTestId("audit-older").isDisabled()).toBe(true);
      await saveScreenshot(p, "sign-in-5b-audit-oldest");

      await p.getByTestId("audit-newer").click();
      await expect.poll(async () => (await targets())[0]).toBe("user-069");
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe("the account page", () => {
  it("creates a token shown once that works, and refuses it once revoked", async () => {
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${server.url}/account`);
      await signIn(p, "alice");
      await p.getByTestId("account-page").waitFor();
      await p.getByTestId("token-label").fill("ci");
      await p.getByTestId("token-scope").selectOption("read");
      await p.getByTestId("token-create-submit").click();
      const secretBox = p.getByTestId("token-secret-box");
      await secretBox.waitFor();
      const secret = await p.getByTestId("token-secret").inputValue();
      expect(secret).toMatch(/^lgn_[A-Za-z0-9_-]{40,}$/);
      expect(await secretBox.textContent()).toContain("it will not be shown again");
      const row = p.locator("[data-testid=token-row][data-label=ci]");
      await row.waitFor();
      // Its ID, which `lignee users tokens revoke ID` takes.
      expect(await row.locator("td").first().textContent()).toBe(
        await row.getAttribute("data-token-id"),
      );
      // An operator may make both scopes.
      expect(await p.getByTestId("token-scope").locator("option").count()).toBe(2);
      await bothThemes(p, "sign-in-6-token-created");

      // As a script would use it.
      const asScript = () =>
        fetch(`${server.url}/api/runs`, { headers: { Authorization: `Bearer ${secret}` } });
      expect((await asScript()).status).toBe(200);

      await p.getByTestId("token-done").click();
      await secretBox.waitFor({ state: "detached" });
      await p.reload();
      await p.locator("[data-testid=token-row][data-label=ci]").waitFor();
      expect(await p.getByTestId("token-secret-box").count()).toBe(0);
      expect(await p.content()).not.toContain(secret);

      await p.locator("[data-testid=token-row][data-label=ci] [data-testid=token-revoke]").click();
      await p.getByTestId("revoke-dialog").waitFor();
      await saveScreenshot(p, "sign-in-7-revoke-confirm");
      await p.getByTestId("revoke-confirm").click();
      await p.locator("[data-testid=token-row][data-label=ci][data-revoked=true]").waitFor();
      await bothThemes(p, "sign-in-8-token-revoked");
      expect((await asScript()).status).toBe(401);
    } finally {
      await context.close();
    }
  }, 60_000);

  it("still writes after signing in again elsewhere, with the new session's CSRF token", async () => {
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${server.url}/account`);
      await signIn(p, "alice");
      await p.getByTestId("account-page").waitFor();
      // Signed in again from another tab of this browser: a new session cookie replaces the one
      // this page read its CSRF token for.
      const again = await context.request.post(`${server.url}/api/session`, {
        data: { name: "alice", password: PASSWORDS.alice },
      });
      expect(again.status()).toBe(200);
      await p.getByTestId("token-label").fill("after-second-sign-in");
      await p.getByTestId("token-create-submit").click();
      await p.getByTestId("token-secret-box").waitFor();
      expect(await p.getByTestId("error").count()).toBe(0);
      expect((await p.getByTestId("token-secret").inputValue()).startsWith("lgn_")).toBe(true);
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe("changing one's own password", () => {
  it("says the server's refusal, then signs the other sessions out and keeps this one", async () => {
    await auth.addUser({
      name: "dora",
      role: "operator",
      passwordHash: await hashPassword("dora-password-1234"),
      at: new Date(),
    });
    const here = await freshPage();
    const there = await freshPage();
    try {
      await there.page.goto(`${server.url}/runs`);
      await signIn(there.page, "dora", "dora-password-1234");
      await there.page.getByTestId("runs-page").waitFor();

      const p = here.page;
      await p.goto(`${server.url}/account`);
      await signIn(p, "dora", "dora-password-1234");
      await p.getByTestId("password-change").waitFor();
      await p.getByTestId("password-current").fill("not-the-password");
      await p.getByTestId("password-new").fill("dora-new-password-99");
      await p.getByTestId("password-again").fill("dora-new-password-9");
      expect(await p.getByTestId("password-mismatch").textContent()).toBe(
        "Not the same as the new password",
      );
      expect(await p.getByTestId("password-change-submit").isDisabled()).toBe(true);
      await p.getByTestId("password-again").fill("dora-new-password-99");
      await p.getByTestId("password-change-submit").click();
      const refused = p.getByTestId("error");
      await refused.waitFor();
      expect(await refused.textContent()).toBe("the current password is wrong");
      // The wrong current password is to be typed again.
      expect(await p.getByTestId("password-current").inputValue()).toBe("");
      await bothThemes(p, "sign-in-8c-password-refused");

      // A new password the server does not take keeps the current one typed.
      await p.getByTestId("password-current").fill("dora-password-1234");
      expect(await refused.count()).toBe(0);
      await p.getByTestId("password-new").fill(" ".repeat(12));
      await p.getByTestId("password-again").fill(" ".repeat(12));
      await p.getByTestId("password-change-submit").click();
      await refused.waitFor();
      expect(await refused.textContent()).toBe("a password cannot be only spaces");
      expect(await p.getByTestId("password-current").inputValue()).toBe("dora-password-1234");

      await p.getByTestId("password-new").fill("dora-new-password-99");
      await p.getByTestId("password-again").fill("dora-new-password-99");
      await p.getByTestId("password-change-submit").click();
      const changed = p.getByTestId("password-changed");
      await changed.waitFor();
      expect(await changed.textContent()).toBe(
        "Password changed. Your other sessions were signed out; this one stays signed in.",
      );
      await bothThemes(p, "sign-in-8d-password-changed");

      // The change answered a new session: the next write, without a reload, carries its CSRF
      // token at once (none is refused and sent again).
      const refusedWrites: string[] = [];
      p.on("response", (r) => {
        if (r.status() === 403) refusedWrites.push(`${r.request().method()} ${r.url()}`);
      });
      await p.getByTestId("token-label").fill("after-password-change");
      await p.getByTestId("token-create-submit").click();
      await p.getByTestId("token-secret-box").waitFor();
      expect((await p.getByTestId("token-secret").inputValue()).startsWith("lgn_")).toBe(true);
      expect(refusedWrites).toEqual([]);
      expect(await p.getByTestId("error").count()).toBe(0);

      // This tab is still signed in; the other one is told that its session ended.
      const session = (await (await p.request.get(`${server.url}/api/session`)).json()) as {
        user: { name: string } | null;
      };
      expect(session.user?.name).toBe("dora");
      await there.page.getByTestId("sign-in-ended").waitFor({ timeout: 20_000 });
      await signIn(there.page, "dora", "dora-new-password-99");
      await there.page.getByTestId("runs-page").waitFor();
    } finally {
      await here.context.close();
      await there.context.close();
    }
  }, 60_000);
});

describe("a viewer's account page", () => {
  it("offers read tokens only", async () => {
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${server.url}/account`);
      await signIn(p, "victor");
      await p.getByTestId("account-page").waitFor();
      const scopes = p.getByTestId("token-scope").locator("option");
      expect(await scopes.evaluateAll((o) => o.map((e) => e.getAttribute("value")))).toEqual([
        "read",
      ]);
      await bothThemes(p, "sign-in-8b-viewer-account");
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe("the users page", () => {
  it("lets an admin add a user, change its role, set its password and disable it", async () => {
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${server.url}/users`);
      await signIn(p, "root");
      await p.getByTestId("users-page").waitFor();
      await p.getByTestId("user-add-name").fill("bob");
      await p.getByTestId("user-add-role").selectOption("operator");
      // A password too short says why next to its field, in characters as the server counts
      // them (six emoji are six, not twelve UTF-16 units), and is read with the field rather
      // than announced at every keystroke.
      const addPassword = p.getByTestId("user-add-password");
      await addPassword.fill("🐉🐉🐉🐉🐉🐉");
      const tooShort = p.getByTestId("password-too-short");
      expect(await tooShort.textContent()).toBe("12 characters or more: 6 to go");
      expect(await p.getByTestId("user-add-submit").isDisabled()).toBe(true);
      expect(await tooShort.getAttribute("role")).toBeNull();
      expect(await tooShort.getAttribute("aria-live")).toBeNull();
      expect(await addPassword.getAttribute("aria-describedby")).toBe(
        await tooShort.getAttribute("id"),
      );
      await addPassword.fill("bob-pass");
      expect(await tooShort.textContent()).toBe("12 characters or more: 4 to go");
      await bothThemes(p, "sign-in-9a-password-too-short");
      await addPassword.fill("bob-password-12345");
      expect(await tooShort.count()).toBe(0);
      expect(await addPassword.getAttribute("aria-describedby")).toBeNull();
      await p.getByTestId("user-add-submit").click();
      const bob = p.locator("[data-testid=user-row][data-name=bob]");
      await bob.waitFor();
      expect(await bob.getAttribute("data-role")).toBe("operator");

      await bob.getByTestId("user-role").selectOption("viewer");
      await p.locator("[data-testid=user-row][data-name=bob][data-role=viewer]").waitFor();

      // Two refused actions in a row, for different reasons: one error line, the latest's, in
      // line with the table.
      const root = p.locator("[data-testid=user-row][data-name=root]");
      await root.getByTestId("user-role").selectOption("viewer");
      const refusal = p.getByTestId("error");
      await expect.poll(() => refusal.textContent()).toBe('"root" is the last active admin');
      // Meanwhile another admin made root an operator: the next action is refused for its role.
      await auth.addUser({
        name: "ada",
        role: "admin",
        passwordHash: await hashPassword("ada-password-12345"),
        at: new Date(),
      });
      await auth.setRole("root", "operator");
      try {
        await p.getByRole("button", { name: "Disable bob", exact: true }).click();
        await p.getByTestId("disable-confirm").click();
        await p.getByTestId("disable-dialog").waitFor({ state: "detached" });
        // The action's line is the latest refusal's; the list, read again after it, is refused
        // too, and says so on its own line.
        const refusals = () => refusal.allTextContents();
        await expect
          .poll(refusals)
          .toEqual([
            "Not allowed: your role (operator) may not GET /api/users",
            "Not allowed: your role (operator) may not POST /api/users/{name}/disable",
          ]);
        const line = (await refusal.nth(1).boundingBox())!;
        const table = (await p.getByTestId("users").boundingBox())!;
        const form = (await p.getByTestId("user-add").boundingBox())!;
        expect(Math.round(line.x)).toBe(Math.round(table.x));
        expect(Math.round(line.x)).toBe(Math.round(form.x));
        expect(Math.round(line.width)).toBe(Math.round(table.width));
        await bothThemes(p, "sign-in-9b-one-refusal");
      } finally {
        await auth.setRole("root", "admin");
        await auth.disableUser("ada", new Date());
      }
      expect((await auth.findUser("bob"))?.user.disabledAt).toBeNull();
      // The next action clears it.
      await bob.getByTestId("user-role").selectOption("operator");
      await p.locator("[data-testid=user-row][data-name=bob][data-role=operator]").waitFor();
      expect(await refusal.count()).toBe(0);
      await bob.getByTestId("user-role").selectOption("viewer");
      await p.locator("[data-testid=user-row][data-name=bob][data-role=viewer]").waitFor();

      await p.getByRole("button", { name: "Set the password of bob", exact: true }).click();
      await p.getByTestId("password-input").fill("short");
      expect(await p.getByTestId("password-submit").isDisabled()).toBe(true);
      expect(await p.getByTestId("password-too-short").textContent()).toBe(
        "12 characters or more: 7 to go",
      );
      await p.getByTestId("password-input").fill("bob-new-password-123");
      await saveScreenshot(p, "sign-in-9-set-password");
      await p.getByTestId("password-submit").click();
      await p.getByTestId("password-dialog").waitFor({ state: "detached" });
      const bobNow = await auth.findUser("bob");
      expect(bobNow?.user.role).toBe("viewer");

      // Bob signed in elsewhere: disabled, his tab says that his session ended.
      const elsewhere = await freshPage();
      try {
        await elsewhere.page.goto(`${server.url}/runs`);
        await signIn(elsewhere.page, "bob", "bob-new-password-123");
        await elsewhere.page.getByTestId("runs-page").waitFor();

        await p.getByRole("button", { name: "Disable bob", exact: true }).click();
        await p.getByTestId("disable-dialog").waitFor();
        await saveScreenshot(p, "sign-in-10-disable-confirm");
        await p.getByTestId("disable-confirm").click();
        await p.locator("[data-testid=user-row][data-name=bob][data-disabled=true]").waitFor();
        await bothThemes(p, "sign-in-11-users");
        expect((await auth.findUser("bob"))?.user.disabledAt).not.toBeNull();

        await elsewhere.page.getByTestId("sign-in-ended").waitFor({ timeout: 20_000 });
        expect(await elsewhere.page.getByTestId("sign-in-ended").textContent()).toBe(
          "Your session ended; sign in again.",
        );
      } finally {
        await elsewhere.context.close();
      }

      // Enabled again: active, and he signs in.
      // Each row's buttons say whose they are.
      expect(await bob.getByTestId("user-enable").getAttribute("aria-label")).toBe("Enable bob");
      await p.getByRole("button", { name: "Enable bob", exact: true }).click();
      await p.locator("[data-testid=user-row][data-name=bob][data-disabled=false]").waitFor();
      expect((await auth.findUser("bob"))?.user.disabledAt).toBeNull();
      const again = await fetch(`${server.url}/api/session`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: "bob", password: "bob-new-password-123" }),
      });
      expect(again.status).toBe(200);
      await bothThemes(p, "sign-in-11b-users-enabled");
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe("an ended session", () => {
  it("sends the next request to the sign-in page, then back to where the user was", async () => {
    const idleMs = 6_000;
    const short = await startUiServer({
      definitions,
      store,
      sessions: { idleMs, absoluteMs: 60 * 60_000 },
    });
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${short.url}/runs?status=SUCCESS`);
      await signIn(p, "alice");
      await p.getByTestId("runs-page").waitFor();
      // Left open past the idle time: the page's next call is refused, and it asks to sign in.
      await sleep(idleMs + 500);
      await p.getByTestId("sign-in-form").waitFor({ timeout: 20_000 });
      const url = new URL(p.url());
      expect(url.pathname).toBe("/sign-in");
      expect(url.searchParams.get("next")).toBe("/runs?status=SUCCESS");
      expect(await p.getByTestId("sign-in-next").textContent()).toBe(
        "Then back to /runs?status=SUCCESS",
      );
      expect(await p.getByTestId("sign-in-ended").textContent()).toBe(
        "Your session ended; sign in again.",
      );
      await bothThemes(p, "sign-in-12-expired");
      await signIn(p, "alice");
      await p.waitForURL(`${short.url}/runs?status=SUCCESS`);
      await p.getByTestId("runs-page").waitFor();
    } finally {
      await context.close();
      await short.stop();
    }
  }, 60_000);
});

describe("without users", () => {
  it("shows the single-user badge and never asks to sign in", async () => {
    const local = await startUiServer({ definitions });
    const { context, page: p } = await freshPage();
    try {
      await p.goto(`${local.url}/runs`);
      const badge = p.getByTestId("single-user-badge");
      await badge.waitFor();
      expect(await badge.textContent()).toBe("Single-user mode · loopback, no sign-in");
      expect(await badge.getAttribute("title")).toContain("lignee users add");
      expect(await p.getByTestId("sign-in-form").count()).toBe(0);
      expect(await p.getByTestId("runs-page").count()).toBe(1);
      // The top bar holds it all without spilling over the page's width.
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        1280,
      );
      await bothThemes(p, "sign-in-13-single-user");
      await p.setViewportSize({ width: 1024, height: 800 });
      await expectEveryTabVisible(p, 1024);
      await saveScreenshot(p, "sign-in-13b-single-user-1024");

      // The first user added here is an admin, and the page says why.
      await p.locator("nav a", { hasText: "Users" }).click();
      await p.getByTestId("users-page").waitFor();
      expect(await p.getByTestId("user-add-role").inputValue()).toBe("admin");
      expect(await p.getByTestId("user-add-role").locator("option").allTextContents()).toEqual([
        "admin",
      ]);
      expect(await p.getByTestId("users-first-admin-note").textContent()).toContain(
        "The first user must be an admin",
      );
      await p.setViewportSize({ width: 1280, height: 800 });
      await bothThemes(p, "sign-in-13c-single-user-users");
      await p.goto(`${local.url}/sign-in`);
      await p.getByTestId("lineage").waitFor();
      expect(new URL(p.url()).pathname).toBe("/");
    } finally {
      await context.close();
      await local.stop();
    }
  }, 60_000);
});

describe("with the service token only", () => {
  it("adds the first user as an admin, as the server requires", async () => {
    const token = "service-token-for-the-users-page";
    const secured = await startUiServer({ definitions, token });
    const { context, page: p } = await freshPage();
    try {
      // The users asked for before the token is entered are answered (401) only after it is,
      // as on a loaded machine: that late refusal must not hold the page.
      let first = true;
      await p.route("**/api/users", async (route) => {
        const late = first && route.request().headers().authorization === undefined;
        first = false;
        if (late) await new Promise((r) => setTimeout(r, 2_000));
        await route.continue();
      });
      await p.goto(`${secured.url}/users`);
      const form = p.getByTestId("token-form");
      await form.waitFor();
      await form.locator("input[type=password]").fill(token);
      await form.locator("button[type=submit]").click();
      await p.getByTestId("users-page").waitFor();
      // The form comes once the session and the users are known; if it does not, say what the
      // page shows instead.
      await p
        .getByTestId("user-add")
        .waitFor({ timeout: 15_000 })
        .catch(async (error: unknown) => {
          const shown = await p.locator("body").innerText();
          const session = await p.evaluate(async () => (await fetch("/api/session")).status);
          throw new Error(
            `no form to add a user (GET /api/session: ${session}); the page shows: ${shown}`,
            { cause: error },
          );
        });
      // No admin among the users: the role offered is admin alone, and the page says why.
      const role = p.getByTestId("user-add-role");
      await expect.poll(() => role.locator("option").allTextContents()).toEqual(["admin"]);
      expect(await p.getByTestId("users-first-admin-note").textContent()).toBe(
        "No admin yet: the first user must be an admin, to manage the others.",
      );
      await bothThemes(p, "sign-in-14-token-first-admin");
      await p.getByTestId("user-add-name").fill("first");
      await p.getByTestId("user-add-password").fill("first-password-1234");
      await p.getByTestId("user-add-submit").click();
      await p.locator("[data-testid=user-row][data-name=first][data-role=admin]").waitFor();
      expect(await p.getByTestId("error").count()).toBe(0);
      // An admin now: the next user may have any role.
      await expect
        .poll(() => role.locator("option").allTextContents())
        .toEqual(["viewer", "operator", "admin"]);
      expect(await p.getByTestId("users-first-admin-note").count()).toBe(0);
      await bothThemes(p, "sign-in-14b-token-first-added");
    } finally {
      await context.close();
      await secured.stop();
    }
  }, 60_000);
});
