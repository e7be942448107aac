import pg from "pg";
import {
  AlertSender,
  buildExampleDefinitions,
  createChannels,
  Definitions,
  recordAlertEvent,
  type AlertChannelConfig,
} from "@lignee/engine";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { startHttpReceiver, type HttpReceiver } from "./support/alert-receivers";
import { saveScreenshot, type Page } from "./support/browser";
import {
  openUiBrowser,
  screenshotOnFailure,
  startUiServer,
  type UiBrowser,
  type UiServer,
} from "./support/ui-server";
import { waitFor } from "./support/wait";

/**
 * The Alerts page in a real Chromium, over a server from `createServer` and a sender in this
 * process delivering to loopback receivers: one channel that works, one whose receiver always
 * fails (dead deliveries), "Send a test", the status filter and Retry.
 */

const TOKEN = "T000-B000-s3cr3tT0ken";
const SECRET = "page-secret-0123456789";

let ok: HttpReceiver;
let failing: HttpReceiver;
let server: UiServer;
let ui: UiBrowser;
let page: Page;
let pool: pg.Pool;
const stopSender = new AbortController();
let sending: Promise<void> | undefined;

beforeAll(async () => {
  [ok, failing] = await Promise.all([
    startHttpReceiver(),
    startHttpReceiver({ answer: () => 503 }),
  ]);
  const channels: AlertChannelConfig[] = [
    { kind: "slack", name: "ops", url: `${ok.url}/services/${TOKEN}` },
    {
      kind: "webhook",
      name: "audit",
      url: `${failing.url}/hook?token=${TOKEN}`,
      secret: SECRET,
      kinds: ["run_failed", "check_failed", "test"],
    },
  ];
  const definitions = Definitions.create({
    assets: buildExampleDefinitions().assets,
    alerts: { channels, dailySummary: { at: "08:00" }, maxAttempts: 2 },
  }) as Definitions<unknown>;
  [server, ui] = await Promise.all([
    startUiServer({ definitions }),
    openUiBrowser({ width: 1280, height: 800 }),
  ]);
  ({ page } = ui);
  pool = new pg.Pool({ connectionString: server.databaseUrl, max: 4 });
  await recordAlertEvent(pool, {
    kind: "run_failed",
    dedupeKey: "run_failed:3f2a9c1e-0000-4000-8000-000000000001",
    subject: "Run 3f2a9c1e failed: Failed raw/events[2024-08-05]: HTTP 503 from the API",
    payload: { runId: "3f2a9c1e-0000-4000-8000-000000000001", path: "/runs/3f2a9c1e" },
  });
  const sender = new AlertSender({
    pool,
    channels: createChannels(channels, 2_000),
    settings: {
      dailySummary: undefined,
      publicUrl: server.url,
      maxAttempts: 2,
      retryMs: 50,
      leaseMs: 5_000,
      timeoutMs: 2_000,
      pollMs: 100,
      maxAgeMs: 3_600_000,
    },
    log: () => undefined,
  });
  sending = sender.run(stopSender.signal);
}, 120_000);

afterEach(({ task }) => screenshotOnFailure("alerts", page, task));

afterAll(async () => {
  stopSender.abort();
  await sending;
  await pool?.end();
  await ui?.close();
  await server?.stop();
  await ok?.close();
  await failing?.close();
});

it("lists the channels without secrets, deliveries with their errors; sends a test; retries a dead one", async () => {
  await page.goto(`${server.url}/alerts`);
  const channels = page.getByTestId("alert-channel");
  await expect.poll(() => channels.count()).toBe(2);
  const channelText = await page.getByTestId("alert-channels").innerText();
  expect(channelText).toContain("Slack webhook");
  expect(channelText).toContain(`${new URL(ok.url).host}/…`);
  expect(channelText).not.toContain(TOKEN);
  expect(await page.getByTestId("alerts-settings").innerText()).toContain(
    "Daily summary at 08:00 (Europe/Paris)",
  );

  // The failed run reached ops; audit's receiver refused it twice: dead, with its error.
  const row = (channel: string, status: string) =>
    page.locator(`[data-testid=alert-delivery][data-channel=${channel}][data-status=${status}]`);
  await expect.poll(() => row("ops", "delivered").count(), { timeout: 15_000 }).toBe(1);
  await expect.poll(() => row("audit", "dead").count(), { timeout: 15_000 }).toBe(1);
  const dead = await row("audit", "dead").innerText();
  expect(dead).toContain("HTTP 503");
  expect(dead).not.toContain(TOKEN);

  // "Send a test" on ops: one test event, delivered to ops only.
  await page.locator("[data-testid=alert-channel][data-name=ops] [data-testid=send-test]").click();
  await waitFor("the test at the receiver", async () =>
    ok.requests.some((r) => r.body.includes("Test alert from Lignée to channel ops"))
      ? true
      : undefined,
  );
  await expect.poll(() => row("ops", "delivered").count(), { timeout: 15_000 }).toBe(2);
  expect(failing.requests.some((r) => r.body.includes("Test alert"))).toBe(false);
  await saveScreenshot(page, "alerts-page");

  // Only the dead ones, then Retry: the delivery is pending again (and dies again later).
  await page.getByTestId("delivery-filter").filter({ hasText: "dead" }).click();
  await expect.poll(() => page.getByTestId("alert-delivery").count()).toBe(1);
  const tries = failing.requests.length;
  await page.getByTestId("retry-delivery").click();
  await waitFor("another try", async () => (failing.requests.length > tries ? true : undefined));
  await saveScreenshot(page, "alerts-page-dead");
}, 90_000);
