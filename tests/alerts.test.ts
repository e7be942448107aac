import type { ChildProcess } from "node:child_process";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AlertSender,
  createApp,
  createChannels,
  Definitions,
  defineSchedule,
  messageId,
  PostgresAlertStore,
  PostgresStorage,
  RunQueue,
  recordAlertEvent,
  buildExampleDefinitions,
  type AlertChannelConfig,
  type AlertSenderOptions,
  type AlertSettings,
} from "@lignee/engine";
import {
  startHttpReceiver,
  startSmtpReceiver,
  type HttpReceiver,
  type SmtpReceiver,
} from "./support/alert-receivers";
import { fixture, lignee, type CliResult } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { sleep, waitFor } from "./support/wait";

/**
 * Alerts end to end against real receivers on loopback: a webhook receiver (node:http) and an
 * SMTP server (smtp-server + mailparser), real PostgreSQL, and `lignee scheduler` processes
 * killed mid-delivery.
 */

const SECRET = "s3cret-hmac-key-0123456789";
const PUBLIC_URL = "http://lignee.test:3000";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

async function database(): Promise<{ url: string; pool: pg.Pool }> {
  const url = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: url, max: 6 });
  closers.push(() => pool.end());
  return { url, pool };
}

async function receiver(
  options: Parameters<typeof startHttpReceiver>[0] = {},
): Promise<HttpReceiver> {
  const r = await startHttpReceiver(options);
  closers.push(() => r.close());
  return r;
}

type Settings = AlertSenderOptions["settings"];
const settings = (overrides: Partial<Settings> = {}): Settings => ({
  dailySummary: undefined,
  publicUrl: PUBLIC_URL,
  maxAttempts: 3,
  retryMs: 5,
  leaseMs: 5_000,
  timeoutMs: 4_000,
  pollMs: 50,
  maxAgeMs: 3_600_000,
  ...overrides,
});

function sender(
  pool: pg.Pool,
  channels: readonly AlertChannelConfig[],
  options: Partial<AlertSenderOptions> & { settings?: Settings } = {},
): AlertSender {
  return new AlertSender({
    pool,
    channels: createChannels(channels, 2_000),
    log: () => undefined,
    ...options,
    settings: options.settings ?? settings(),
  });
}

/** Rounds until nothing is pending (retries included), or fails after `timeoutMs`. */
async function deliverAll(s: AlertSender, pool: pg.Pool, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await s.round();
    const pending = await pool.query(
      `SELECT 1 FROM lignee.alert_deliveries WHERE status = 'pending'`,
    );
    if (pending.rowCount === 0) return;
    if (Date.now() > deadline) throw new Error("timed out delivering the alerts");
    await sleep(10);
  }
}

async function deliveries(pool: pg.Pool): Promise<
  {
    event_id: string;
    channel: string;
    status: string;
    attempts: number;
    last_error: string | null;
  }[]
> {
  return (
    await pool.query(
      `SELECT event_id, channel, status, attempts, last_error FROM lignee.alert_deliveries
       ORDER BY event_id, channel`,
    )
  ).rows;
}

/** A run that failed at its first step, recorded as the executor records one. */
async function failedRun(url: string, id: string): Promise<void> {
  const storage = PostgresStorage.connect(url, { max: 2 });
  try {
    await storage.createRun({
      id,
      status: "STARTED",
      selection: "raw/events+",
      assetKeys: ["raw/events"],
      partitionSpec: null,
      hostname: "test",
      pid: process.pid,
      launchedBy: { kind: "schedule", detail: "daily" },
    });
    await storage.appendEvents(id, [
      {
        type: "STEP_FAILURE",
        level: "error",
        message: "Failed raw/events[2024-08-05]: HTTP 503 from the API\n    at fetchPage (…)",
        timestamp: new Date(),
      },
    ]);
    await storage.setRunStatus(id, "FAILURE", "1 step failed");
  } finally {
    await storage.close();
  }
}

describe("events written with the facts they announce", () => {
  it("run_failed: with the run's end, its first failed step as the root cause, a link", async () => {
    const { url, pool } = await database();
    await failedRun(url, "11111111-aaaa-4aaa-8aaa-000000000001");
    const events = await pool.query(
      `SELECT kind, dedupe_key, subject, payload FROM lignee.alert_events`,
    );
    expect(events.rows).toEqual([
      {
        kind: "run_failed",
        dedupe_key: "run_failed:11111111-aaaa-4aaa-8aaa-000000000001",
        subject: "Run 11111111 failed: Failed raw/events[2024-08-05]: HTTP 503 from the API",
        payload: {
          runId: "11111111-aaaa-4aaa-8aaa-000000000001",
          selection: "raw/events+",
          rootCause: "Failed raw/events[2024-08-05]: HTTP 503 from the API",
          launchedBy: "schedule daily",
          path: "/runs/11111111-aaaa-4aaa-8aaa-000000000001",
        },
      },
    ]);
  });

  it("run_failed on every other path to FAILURE: a dead process's run, an expired lease", async () => {
    const { url, pool } = await database();
    const storage = PostgresStorage.connect(url, { max: 2 });
    const queue = RunQueue.connect(url);
    closers.push(
      () => storage.close(),
      () => queue.close(),
    );
    const run = (id: string, leaseMs?: number) =>
      storage.createRun({
        id,
        status: "STARTED",
        selection: "raw/events",
        assetKeys: ["raw/events"],
        partitionSpec: null,
        hostname: "gone-host",
        pid: 424242,
        ...(leaseMs ? { leaseMs } : {}),
      });
    await run("orphan-0001");
    expect(await storage.failOrphanedRuns("gone-host", () => false)).toEqual(["orphan-0001"]);
    await run("expired-0001", 50);
    await sleep(100);
    expect((await queue.reapExpired()).map((r) => r.id)).toEqual(["expired-0001"]);
    const events = await pool.query<{ dedupe_key: string; subject: string }>(
      `SELECT dedupe_key, subject FROM lignee.alert_events ORDER BY id`,
    );
    expect(events.rows).toEqual([
      {
        dedupe_key: "run_failed:orphan-0001",
        subject:
          "Run orphan-0 failed: the process running it (pid 424242 on gone-host) exited before the run finished",
      },
      {
        dedupe_key: "run_failed:expired-0001",
        subject:
          "Run expired- failed: the process running it (pid 424242 on gone-host) stopped heartbeating (lease expired)",
      },
    ]);
  });

  it("schedule_succeeded: for the schedules a channel names, and only those", async () => {
    const { url, pool } = await database();
    const storage = PostgresStorage.connect(url, { max: 2 });
    closers.push(() => storage.close());
    for (const [id, schedule] of [
      ["ok-daily", "daily"],
      ["ok-hourly", "hourly"],
    ] as const) {
      await storage.createRun({
        id,
        status: "STARTED",
        selection: "raw/events",
        assetKeys: ["raw/events"],
        partitionSpec: null,
        hostname: "test",
        pid: process.pid,
        launchedBy: { kind: "schedule", detail: schedule },
      });
      await storage.setRunStatus(id, "SUCCESS");
    }
    const hook = await receiver({ secret: SECRET });
    const s = sender(pool, [
      { kind: "webhook", name: "daily-only", url: hook.url, secret: SECRET, schedules: ["daily"] },
      { kind: "webhook", name: "none", url: hook.url, secret: SECRET },
    ]);
    await deliverAll(s, pool);
    expect(
      hook.requests.map((r) => JSON.parse(r.body) as { subject: string }).map((b) => b.subject),
    ).toEqual(["Schedule daily succeeded (run ok-daily)"]);
    expect(hook.requests[0]!.headers["idempotency-key"]).toMatch(/^\d+:daily-only$/);
  });
});

describe("channels, against real receivers", () => {
  it("Slack-compatible webhook: Block Kit with a header, fields and a button to the run", async () => {
    const { url, pool } = await database();
    await failedRun(url, "22222222-bbbb-4bbb-8bbb-000000000002");
    const slack = await receiver();
    await deliverAll(
      sender(pool, [{ kind: "slack", name: "ops", url: `${slack.url}/services/T0/B0/xyz` }]),
      pool,
    );
    expect(slack.requests).toHaveLength(1);
    const message = JSON.parse(slack.requests[0]!.body) as {
      text: string;
      blocks: {
        type: string;
        text?: { text: string };
        fields?: { text: string }[];
        elements?: { url: string; text: { text: string } }[];
      }[];
    };
    expect(message.text).toBe(
      "Run 22222222 failed: Failed raw/events[2024-08-05]: HTTP 503 from the API",
    );
    expect(message.blocks.map((b) => b.type)).toEqual(["header", "section", "actions"]);
    expect(message.blocks[0]!.text!.text).toBe("Run failed");
    expect(message.blocks[1]!.fields!.map((f) => f.text)).toContain(
      "*Root cause*\nFailed raw/events[2024-08-05]: HTTP 503 from the API",
    );
    expect(message.blocks[2]!.elements![0]).toMatchObject({
      url: `${PUBLIC_URL}/runs/22222222-bbbb-4bbb-8bbb-000000000002`,
      text: { text: "Open in Lignée" },
    });
    expect(slack.requests[0]!.path).toBe("/services/T0/B0/xyz");
  });

  it("signed webhook: the HMAC-SHA256 of timestamp.body verifies, and a wrong secret does not", async () => {
    const { pool } = await database();
    await recordAlertEvent(pool, {
      kind: "check_failed",
      dedupeKey: "check_failed:r:raw/events:not_empty:2024-08-05",
      subject: "Check not_empty failed on raw/events 2024-08-05",
      payload: { asset: "raw/events", check: "not_empty", path: "/assets/raw/events" },
    });
    const good = await receiver({ secret: SECRET });
    const other = await receiver({ secret: "another-secret-0123456789" });
    await deliverAll(
      sender(pool, [
        { kind: "webhook", name: "good", url: good.url, secret: SECRET },
        { kind: "webhook", name: "other", url: other.url, secret: SECRET },
      ]),
      pool,
    );
    expect(good.requests.map((r) => r.signatureValid)).toEqual([true]);
    expect(other.requests.map((r) => r.signatureValid)).toEqual([false]);
    const body = JSON.parse(good.requests[0]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      kind: "check_failed",
      subject: "Check not_empty failed on raw/events 2024-08-05",
      link: `${PUBLIC_URL}/assets/raw/events`,
      payload: { asset: "raw/events", check: "not_empty" },
    });
    expect(good.requests[0]!.headers["idempotency-key"]).toBe(body.idempotencyKey);
  });

  it("e-mail over SMTP: subject, text and HTML parts, a Message-ID from the idempotency key", async () => {
    const { url, pool } = await database();
    await failedRun(url, "33333333-cccc-4ccc-8ccc-000000000003");
    const smtp: SmtpReceiver = await startSmtpReceiver("alerts", "p@ss word");
    closers.push(() => smtp.close());
    await deliverAll(
      sender(pool, [
        {
          kind: "email",
          name: "mail",
          smtpUrl: smtp.url,
          to: ["ops@example.org"],
          from: "lignee@example.org",
        },
      ]),
      pool,
    );
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.subject).toBe(
      "[Lignée] Run 33333333 failed: Failed raw/events[2024-08-05]: HTTP 503 from the API",
    );
    expect(mail.text).toContain("Root cause: Failed raw/events[2024-08-05]: HTTP 503 from the API");
    expect(mail.text).toContain(`${PUBLIC_URL}/runs/33333333-cccc-4ccc-8ccc-000000000003`);
    expect(mail.html).toContain(
      `<a href="${PUBLIC_URL}/runs/33333333-cccc-4ccc-8ccc-000000000003">`,
    );
    const [delivery] = await deliveries(pool);
    expect(mail.messageId).toBe(messageId(`${delivery!.event_id}:mail`));
    expect(delivery!.status).toBe("delivered");
  });
});

describe("delivery", () => {
  it("a test reaches the channel it names only, whatever kinds that channel takes", async () => {
    const { pool } = await database();
    await recordAlertEvent(pool, {
      kind: "test",
      dedupeKey: "test:narrow:1",
      subject: "Test alert from Lignée to channel narrow",
      payload: { channel: "narrow" },
    });
    const hook = await receiver({ secret: SECRET });
    await deliverAll(
      sender(pool, [
        { kind: "webhook", name: "narrow", url: hook.url, secret: SECRET, kinds: ["run_failed"] },
        { kind: "webhook", name: "other", url: hook.url, secret: SECRET },
      ]),
      pool,
    );
    expect(hook.requests.map((r) => r.headers["idempotency-key"])).toEqual([
      expect.stringMatching(/:narrow$/),
    ]);
  });

  it("retries after 500s with backoff, then delivers with the same idempotency key", async () => {
    const { pool } = await database();
    await recordAlertEvent(pool, {
      kind: "test",
      dedupeKey: "test:hook:1",
      subject: "Test",
      payload: { channel: "hook" },
    });
    const hook = await receiver({ secret: SECRET, answer: (n) => (n <= 2 ? 500 : 200) });
    await deliverAll(
      sender(pool, [{ kind: "webhook", name: "hook", url: hook.url, secret: SECRET }], {
        settings: settings({ maxAttempts: 5 }),
      }),
      pool,
    );
    expect(hook.requests.map((r) => r.answer)).toEqual([500, 500, 200]);
    expect(new Set(hook.requests.map((r) => r.headers["idempotency-key"])).size).toBe(1);
    expect(await deliveries(pool)).toMatchObject([
      { status: "delivered", attempts: 3, last_error: null },
    ]);
  });

  it("dead-letters after the last try; the API shows the error, never a secret", async () => {
    const { url, pool } = await database();
    await recordAlertEvent(pool, {
      kind: "test",
      dedupeKey: "test:hook:2",
      subject: "Test",
      payload: { channel: "hook" },
    });
    const hook = await receiver({ answer: () => 500 });
    const token = "T0KEN-abcdef123456";
    const channels: AlertChannelConfig[] = [
      {
        kind: "webhook",
        name: "hook",
        url: `${hook.url}/hooks/${token}?key=${token}`,
        secret: SECRET,
      },
    ];
    await deliverAll(sender(pool, channels), pool);
    expect(hook.requests).toHaveLength(3);
    // The receiver's error page echoed the tokenised path: it must not reach storage.
    const [dead] = await deliveries(pool);
    expect(dead).toMatchObject({ status: "dead", attempts: 3 });
    expect(dead!.last_error).toMatch(/^HTTP 500: failed /);
    expect(dead!.last_error).not.toContain(token);

    const storage = PostgresStorage.connect(url, { max: 2 });
    const store = PostgresAlertStore.connect(url);
    closers.push(
      () => storage.close(),
      () => store.close(),
    );
    const alertSettings: Pick<AlertSettings, "channels" | "dailySummary" | "maxAttempts"> = {
      channels,
      dailySummary: { at: "08:00" },
      maxAttempts: 3,
    };
    const { app } = createApp({
      definitions: buildExampleDefinitions() as Definitions<unknown>,
      storage,
      environment: { databaseUrl: url, home: "/tmp" },
      alerts: { store, settings: alertSettings },
    });
    const listed = await app.request("/api/alerts/deliveries?status=dead");
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(text).not.toContain(token);
    expect(JSON.parse(text)).toMatchObject({
      deliveries: [
        { channel: "hook", status: "dead", attempts: 3, kind: "test", lastError: dead!.last_error },
      ],
    });
    const shown = await (await app.request("/api/alerts/channels")).text();
    expect(shown).not.toContain(token);
    expect(shown).not.toContain(SECRET);
    expect(JSON.parse(shown)).toMatchObject({
      channels: [{ name: "hook", kind: "webhook", target: `${new URL(hook.url).host}/…` }],
      dailySummary: { at: "08:00", timezone: "Europe/Paris" },
      maxAttempts: 3,
    });
    // Another set of tries for the dead delivery; unknown ones are 404.
    const retried = await app.request(`/api/alerts/deliveries/${dead!.event_id}/hook/retry`, {
      method: "POST",
    });
    expect(retried.status).toBe(200);
    expect((await deliveries(pool))[0]).toMatchObject({ status: "pending", attempts: 0 });
    expect(
      (await app.request(`/api/alerts/deliveries/${dead!.event_id}/hook/retry`, { method: "POST" }))
        .status,
    ).toBe(404);
    // "Send a test": an event for that channel only; an unknown channel is a 404, no body a 400.
    const post = (body: unknown) =>
      app.request("/api/alerts/test", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post({ channel: "nope" })).status).toBe(404);
    expect((await post({})).status).toBe(400);
    const queued = await post({ channel: "hook" });
    expect(queued.status).toBe(202);
    const { dedupeKey } = (await queued.json()) as { dedupeKey: string };
    const written = await pool.query(
      `SELECT kind, payload FROM lignee.alert_events WHERE dedupe_key = $1`,
      [dedupeKey],
    );
    expect(written.rows).toEqual([{ kind: "test", payload: { channel: "hook" } }]);
  });

  it("two senders at once deliver each event once per channel", async () => {
    const { pool } = await database();
    for (let i = 0; i < 60; i++)
      await recordAlertEvent(pool, {
        kind: "run_failed",
        dedupeKey: `run_failed:r${i}`,
        subject: `Run r${i} failed`,
        payload: { runId: `r${i}` },
      });
    const hook = await receiver({ secret: SECRET });
    const channels: AlertChannelConfig[] = [
      { kind: "webhook", name: "a", url: `${hook.url}/a`, secret: SECRET },
      { kind: "slack", name: "b", url: `${hook.url}/b` },
    ];
    const controller = new AbortController();
    const senders = [1, 2].map(() => sender(pool, channels, { batchSize: 7, concurrency: 4 }));
    const running = senders.map((s) => s.run(controller.signal));
    try {
      await waitFor(
        "120 deliveries",
        async () =>
          (await deliveries(pool)).filter((d) => d.status === "delivered").length === 120
            ? true
            : undefined,
        20_000,
      );
    } finally {
      controller.abort();
      await Promise.all(running);
    }
    expect(hook.requests).toHaveLength(120);
    const keys = hook.keys();
    expect(keys.size).toBe(120);
    expect([...keys.values()].every((n) => n === 1)).toBe(true);
  });
});

describe("a sender killed mid-delivery", () => {
  const processes: { child: ChildProcess; done: Promise<CliResult> }[] = [];
  afterAll(async () => {
    for (const p of processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
      await p.done;
    }
  });

  it("another sender delivers what it held once its lease expired: each event once per channel at the receiver", async () => {
    const { url, pool } = await database();
    for (let i = 0; i < 20; i++)
      await recordAlertEvent(pool, {
        kind: "run_failed",
        dedupeKey: `run_failed:k${i}`,
        subject: `Run k${i} failed`,
        payload: { runId: `k${i}` },
      });
    // The 5th request hangs: the sender is killed while it waits for the answer.
    const hook = await receiver({ secret: SECRET, answer: (n) => (n === 5 ? "hang" : 200) });
    const env = {
      DATABASE_URL: url,
      LIGNEE_ALERT_WEBHOOK_URL: `${hook.url}/hook`,
      LIGNEE_ALERT_WEBHOOK_SECRET: SECRET,
      LIGNEE_ALERT_SLACK_WEBHOOK_URL: `${hook.url}/slack`,
      LIGNEE_ALERT_LEASE_MS: "4000",
      LIGNEE_ALERT_TIMEOUT_MS: "3000",
      LIGNEE_ALERT_POLL_MS: "100",
    };
    const start = (): { child: ChildProcess; done: Promise<CliResult> } => {
      let child: ChildProcess | undefined;
      const done = lignee(
        ["--definitions", fixture("alerts-sender.ts"), "scheduler"],
        env,
        (c) => (child = c),
      );
      const p = { child: child!, done };
      processes.push(p);
      return p;
    };
    const first = start();
    await waitFor("a request left hanging", async () =>
      hook.requests.some((r) => r.answer === "hung") ? true : undefined,
    );
    first.child.kill("SIGKILL");
    await first.done;
    // What the dead sender held: claimed, maybe sent, not marked delivered.
    const held = new Set(
      (
        await pool.query<{ key: string }>(
          `SELECT event_id || ':' || channel AS key FROM lignee.alert_deliveries
           WHERE status = 'pending' AND leased_until IS NOT NULL`,
        )
      ).rows.map((r) => r.key),
    );
    const hungKey = String(
      hook.requests.find((r) => r.answer === "hung")!.headers["idempotency-key"],
    );
    expect(held).toContain(hungKey);
    const receivedBeforeTheCrash = hook.requests.length;

    const second = start();
    await waitFor("every delivery delivered", async () => {
      const all = await deliveries(pool);
      return all.length === 40 && all.every((d) => d.status === "delivered") ? true : undefined;
    });
    second.child.kill("SIGTERM");
    expect((await second.done).code).toBe(0);

    // Every (event, channel) reached the receiver under its key, 40 keys. Transport is at
    // least once: a delivery the dead sender held may have reached the receiver (the hung
    // request, or one answered 200 just before the kill and not yet marked delivered) and came
    // again under the same key, which a receiver honouring the key counts once. Nothing it did
    // not hold came twice.
    const keys = hook.keys();
    expect(keys.size).toBe(40);
    expect(keys.get(hungKey)).toBe(2);
    const twice = [...keys].filter(([, n]) => n > 1).map(([k]) => k);
    expect(twice.every((k) => held.has(k))).toBe(true);
    expect([...keys.values()].every((n) => n <= 2)).toBe(true);
    expect(hook.requests.length).toBeGreaterThan(receivedBeforeTheCrash);
    expect(hook.requests.filter((r) => r.path === "/hook").every((r) => r.signatureValid)).toBe(
      true,
    );
    const again = await pool.query(
      `SELECT attempts FROM lignee.alert_deliveries WHERE event_id || ':' || channel = $1`,
      [hungKey],
    );
    expect(again.rows).toEqual([{ attempts: 2 }]);
  }, 90_000);
});

describe("daily summary", () => {
  it("at its time, summarises the previous day from storage, once", async () => {
    const { url, pool } = await database();
    // 2025-03-29 in Paris: two materialisations of raw/events, a dbt model, runs, a failed check.
    const day = "2025-03-29T10:00:00Z";
    await pool.query(
      `INSERT INTO lignee.materializations
         (run_id, asset_key, partition_key, partition_index, data_version, code_version, input_versions, metadata, created_at)
       VALUES ('r1', 'raw/events', '2025-03-28', 0, 'v', '1', '{}', '{"rows": 1200}', $1),
              ('r1', 'raw/events', '2025-03-29', 1, 'v', '1', '{}', '{"rows": 800}', $1),
              ('r2', 'dbt/fait', '2025-03-29', 1, 'v', '1', '{}', '{"row_count": 50}', $1),
              ('r3', 'raw/events', '2025-03-30', 2, 'v', '1', '{}', '{"rows": 999}', '2025-03-30T10:00:00Z')`,
      [day],
    );
    await pool.query(
      `INSERT INTO lignee.runs (id, status, selection, asset_keys, created_at, ended_at)
       VALUES ('r1', 'SUCCESS', 'raw/events', '[]', $1, $1), ('r2', 'SUCCESS', 'dbt/fait', '[]', $1, $1),
              ('r4', 'FAILURE', 'raw/events', '[]', $1, $1)`,
      [day],
    );
    await pool.query(
      `INSERT INTO lignee.check_results (run_id, asset_key, check_name, passed, severity, created_at)
       VALUES ('r2', 'dbt/fait', 'not_null_id', false, 'ERROR', $1), ('r2', 'dbt/fait', 'unique_id', true, 'ERROR', $1)`,
      [day],
    );
    const hook = await receiver({ secret: SECRET });
    let now = new Date("2025-03-30T05:59:00Z"); // 07:59 in Paris (summer time from 02:00)
    const s = sender(pool, [{ kind: "webhook", name: "hook", url: hook.url, secret: SECRET }], {
      settings: settings({ dailySummary: { at: "08:00", timezone: "Europe/Paris" } }),
      clock: () => now,
      overdueAssets: async () => ["dbt/dim_lieu"],
    });
    await s.round();
    expect((await pool.query(`SELECT 1 FROM lignee.alert_events`)).rowCount).toBe(0);
    now = new Date("2025-03-30T06:00:00Z");
    await deliverAll(s, pool);
    await deliverAll(
      sender(pool, [], {
        settings: settings({ dailySummary: { at: "08:00", timezone: "Europe/Paris" } }),
        clock: () => now,
      }),
      pool,
    );
    const events = await pool.query(`SELECT dedupe_key FROM lignee.alert_events`);
    expect(events.rows).toEqual([{ dedupe_key: "daily_summary:2025-03-29" }]);
    expect(hook.requests).toHaveLength(1);
    const body = JSON.parse(hook.requests[0]!.body) as {
      subject: string;
      payload: Record<string, unknown>;
    };
    expect(body.subject).toBe(
      "Daily summary for 2025-03-29: 2 run(s) succeeded, 1 failed, 1 check(s) failed, 1 asset(s) overdue",
    );
    expect(body.payload).toMatchObject({
      rowsByAsset: { "raw/events": 2000, "dbt/fait": 50 },
      rowsBuilt: 2050,
      overdue: ["dbt/dim_lieu"],
      lines: [
        "dbt/fait: 50 rows",
        "raw/events: 2,000 rows",
        "check failed: dbt/fait:not_null_id",
        "overdue: dbt/dim_lieu",
      ],
    });
    void url;
  });
});

describe("settings", () => {
  it("refuses invalid channels with every problem, never echoing a secret", () => {
    expect(() =>
      Definitions.create({
        assets: buildExampleDefinitions().assets,
        schedules: [
          defineSchedule({
            name: "daily",
            cron: "0 1 * * *",
            selection: "raw/events",
            partition: () => "2024-01-01",
          }),
        ],
        alerts: {
          channels: [
            { kind: "webhook", name: "hook", url: "not a url with T0KEN", secret: "short" },
            { kind: "slack", name: "hook", url: "ftp://x", schedules: ["nightly"] },
          ],
          dailySummary: { at: "25:00" },
        },
      }),
    ).toThrow(
      /alert channel "hook": the URL is not valid[\s\S]*at least 16 characters[\s\S]*declared twice[\s\S]*must start with http:\/\/ or https:\/\/[\s\S]*unknown schedule "nightly"[\s\S]*HH:MM/,
    );
    try {
      Definitions.create({
        assets: [],
        alerts: {
          channels: [{ kind: "webhook", name: "h", url: "not a url with T0KEN", secret: "short" }],
        },
      });
    } catch (error) {
      expect(String(error)).not.toContain("T0KEN");
    }
  });
});
