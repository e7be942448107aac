import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildExampleDefinitions,
  createApp,
  createServer,
  DEFAULT_LIMITS,
  Metrics,
  PostgresMetricsStore,
  PostgresStorage,
  RunQueue,
  Worker,
  type Definitions,
  type RunningServer,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";
import { parseScrape, sampleValue, samplesOf, type Scrape } from "./support/prometheus";
import { waitFor } from "./support/wait";

/**
 * `GET /metrics` of a server whose worker shares its registry (as `lignee dev` does), over a
 * real PostgreSQL: after a run that succeeded, one that failed, one whose worker vanished (its
 * lease expired) and one still queued, the scrape, read with a Prometheus text parser, tells
 * exactly that; it follows the API's token rule.
 */
const TOKEN = "metrics-t0ken";
const definitions = buildExampleDefinitions({
  failing: ["ref/countries"],
}) as Definitions<unknown>;

let url: string;
let storage: PostgresStorage;
let queue: RunQueue;
let server: RunningServer;
const metrics = new Metrics();
const runIds: Record<string, string> = {};
let startedAt: number;

/** A scrape with the token, another one, or none (null). */
const scrape = async (token: string | null = TOKEN): Promise<Response> =>
  fetch(`${server.url}/metrics`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });

const scraped = async (): Promise<Scrape> => {
  const res = await scrape();
  expect(res.status).toBe(200);
  return parseScrape(await res.text());
};

const statusOf = async (id: string): Promise<string | undefined> =>
  (await storage.getRun(id))?.status;

beforeAll(async () => {
  startedAt = Date.now();
  url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
  queue = RunQueue.connect(url);
  const single = (selection: string, key?: string) => ({
    selection,
    assetKeys: [selection],
    partitions:
      key === undefined ? ({ kind: "none" } as const) : ({ kind: "single", key } as const),
  });

  // A run whose worker died: claimed by a worker that never heartbeats, its lease runs out.
  runIds.lost = await queue.enqueue(single("raw/events", "2024-08-03"));
  expect((await queue.claim("vanished-worker", { leaseMs: 1, limits: DEFAULT_LIMITS }))?.id).toBe(
    runIds.lost,
  );
  runIds.success = await queue.enqueue(single("raw/events", "2024-08-01"));
  runIds.failure = await queue.enqueue(single("ref/countries"));

  const worker = new Worker({
    definitions,
    storage,
    queue,
    environment: { databaseUrl: url, home: "" },
    pollMs: 50,
    log: () => undefined,
    onEvent: (event) => metrics.execution.observeEvent(event),
    onReaped: (runs) => metrics.execution.leasesExpired(runs),
  });
  await worker.start();
  try {
    await waitFor("the runs to end", async () => {
      const statuses = await Promise.all(
        [runIds.lost!, runIds.success!, runIds.failure!].map(statusOf),
      );
      return statuses.every((s) => s === "SUCCESS" || s === "FAILURE") ? statuses : undefined;
    });
  } finally {
    await worker.stop();
  }
  // Nobody claims this one.
  runIds.queued = await queue.enqueue(single("raw/events", "2024-08-02"));

  // Check results: the latest per (check, partition) counts; an older failure was fixed since.
  const check = (checkName: string, passed: boolean, severity: "error" | "warn") =>
    storage.recordCheckResult({
      runId: runIds.success!,
      assetKey: "raw/events",
      partitionKey: "2024-08-01",
      checkName,
      passed,
      severity,
    });
  await check("not_empty", false, "error");
  await check("not_empty", true, "error");
  await check("no_duplicates", false, "warn");

  server = await createServer({
    definitions,
    runtime: { storage, databaseUrl: url, home: "" },
    port: 0,
    token: TOKEN,
    queue: { queue, maxAttempts: 1 },
    metrics,
    log: () => undefined,
  });
});

afterAll(async () => {
  await server?.close();
  await queue?.close();
  await storage?.close();
});

describe("GET /metrics on the server", () => {
  it("answers the Prometheus text format", async () => {
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const { families } = parseScrape(await res.text());
    expect(families.get("lignee_runs")).toEqual({
      type: "GAUGE",
      help: expect.stringContaining("Runs in each status"),
    });
    expect(families.get("lignee_step_duration_seconds")?.type).toBe("HISTOGRAM");
    // Every metric is documented and named for Lignée.
    for (const [name, family] of families) {
      expect(name).toMatch(/^lignee_/);
      expect(family.help.length, name).toBeGreaterThan(10);
    }
  });

  it("counts runs by status and the queue from storage", async () => {
    expect((await statusOf(runIds.lost!)) as string).toBe("FAILURE");
    const s = await scraped();
    expect(samplesOf(s, "lignee_runs").map((x) => [x.labels.status, x.value])).toEqual(
      expect.arrayContaining([
        ["SUCCESS", 1],
        ["FAILURE", 2],
        ["QUEUED", 1],
      ]),
    );
    expect(samplesOf(s, "lignee_runs")).toHaveLength(3);
    expect(sampleValue(s, "lignee_queue_depth")).toBe(1);
    const age = sampleValue(s, "lignee_queue_oldest_age_seconds")!;
    expect(age).toBeGreaterThan(0);
    expect(age).toBeLessThan((Date.now() - startedAt) / 1000 + 1);
    for (const source of ["runs", "queue", "rows", "checks"]) {
      expect(sampleValue(s, "lignee_metrics_source_up", { source }), source).toBe(1);
    }
  });

  it("gives the rows of each asset's latest materialisation and the latest check outcomes", async () => {
    const s = await scraped();
    expect(sampleValue(s, "lignee_asset_rows", { asset: "raw/events" })).toBe(100);
    // ref/countries failed: never materialised, no row count.
    expect(sampleValue(s, "lignee_asset_rows", { asset: "ref/countries" })).toBeUndefined();
    const checks = samplesOf(s, "lignee_asset_checks").map((x) => ({ ...x.labels, n: x.value }));
    expect(checks).toEqual(
      expect.arrayContaining([
        { asset: "raw/events", severity: "error", outcome: "passed", n: 1 },
        { asset: "raw/events", severity: "warn", outcome: "failed", n: 1 },
      ]),
    );
    expect(checks).toHaveLength(2);
  });

  it("counts what the worker executed: runs, step durations per asset, rows, lease expiries", async () => {
    const s = await scraped();
    expect(sampleValue(s, "lignee_runs_started_total")).toBe(2);
    expect(sampleValue(s, "lignee_runs_finished_total", { outcome: "SUCCESS" })).toBe(1);
    expect(sampleValue(s, "lignee_runs_finished_total", { outcome: "FAILURE" })).toBe(1);
    const success = { asset: "raw/events", outcome: "success" };
    expect(sampleValue(s, "lignee_step_duration_seconds_count", success)).toBe(1);
    expect(sampleValue(s, "lignee_step_duration_seconds_bucket", { ...success, le: "+Inf" })).toBe(
      1,
    );
    const seconds = sampleValue(s, "lignee_step_duration_seconds_sum", success)!;
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(seconds).toBeLessThan(30);
    // The failing asset's step (its retry included) failed once.
    expect(
      sampleValue(s, "lignee_step_duration_seconds_count", {
        asset: "ref/countries",
        outcome: "failure",
      }),
    ).toBe(1);
    expect(sampleValue(s, "lignee_materialized_rows_total", { asset: "raw/events" })).toBe(100);
    expect(sampleValue(s, "lignee_materialized_partitions_total", { asset: "raw/events" })).toBe(1);
    expect(sampleValue(s, "lignee_lease_expiries_total", { outcome: "FAILURE" })).toBe(1);
  });

  it("follows the API's token rule: 401 without the token or with another", async () => {
    for (const token of [null, "wrong"]) {
      const res = await scrape(token);
      expect(res.status, String(token)).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="lignee"');
      expect(await res.json()).toEqual({ error: "missing or invalid bearer token" });
    }
  });
});

describe("GET /metrics without a token configured", () => {
  it("answers anyone, as /api does (loopback only: a token is required to bind elsewhere)", async () => {
    const metrics = new Metrics();
    const { app } = createApp({
      definitions,
      storage,
      environment: { databaseUrl: url, home: "" },
      metrics,
    });
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    expect(parseScrape(await res.text()).families.size).toBe(0);
    // Without metrics given, the app has no such route.
    const bare = createApp({ definitions, storage, environment: { databaseUrl: url, home: "" } });
    expect((await bare.app.request("/metrics")).status).toBe(404);
  });
});

describe("metrics of other sources", () => {
  it("exports freshness lags and alert deliveries only when given their providers", async () => {
    const store = PostgresMetricsStore.connect(url);
    try {
      const plain = new Metrics();
      plain.readStorage({ store });
      const withoutProviders = parseScrape((await plain.render()).body);
      expect(withoutProviders.families.has("lignee_asset_freshness_lag_seconds")).toBe(false);
      expect(withoutProviders.families.has("lignee_alert_deliveries_total")).toBe(false);

      const wired = new Metrics();
      wired.readStorage({
        store,
        freshnessLags: async () => [
          { asset: "raw/events", lagSeconds: 3_600 },
          { asset: "ref/countries", lagSeconds: 0 },
        ],
        alertDeliveries: async () => [
          { channel: "slack", status: "delivered", count: 4 },
          { channel: "slack", status: "dead", count: 1 },
        ],
      });
      const s = parseScrape((await wired.render()).body);
      expect(s.families.get("lignee_alert_deliveries_total")?.type).toBe("COUNTER");
      expect(sampleValue(s, "lignee_asset_freshness_lag_seconds", { asset: "raw/events" })).toBe(
        3_600,
      );
      expect(sampleValue(s, "lignee_asset_freshness_lag_seconds", { asset: "ref/countries" })).toBe(
        0,
      );
      expect(
        sampleValue(s, "lignee_alert_deliveries_total", { channel: "slack", status: "dead" }),
      ).toBe(1);
      expect(sampleValue(s, "lignee_metrics_source_up", { source: "freshness" })).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("serves what it can when a source fails, and says which failed", async () => {
    const store = PostgresMetricsStore.connect(url);
    const logged: string[] = [];
    try {
      const m = new Metrics();
      m.readStorage({
        store,
        freshnessLags: async () => {
          throw new Error("freshness unavailable");
        },
        log: (line) => logged.push(line),
      });
      m.execution.observeEvent({
        type: "RUN_START",
        level: "info",
        message: "Run started",
        timestamp: new Date(),
      });
      const s = parseScrape((await m.render()).body);
      expect(sampleValue(s, "lignee_metrics_source_up", { source: "freshness" })).toBe(0);
      expect(sampleValue(s, "lignee_metrics_source_up", { source: "runs" })).toBe(1);
      expect(samplesOf(s, "lignee_asset_freshness_lag_seconds")).toEqual([]);
      expect(sampleValue(s, "lignee_queue_depth")).toBe(1);
      expect(logged).toEqual([expect.stringContaining("freshness unavailable")]);
    } finally {
      await store.close();
    }
    // A database that does not answer: no storage metric, the process's own still served.
    const away = PostgresMetricsStore.connect("postgres://lignee@127.0.0.1:1/nowhere");
    try {
      const m = new Metrics();
      m.readStorage({ store: away, log: () => undefined });
      m.execution.leasesExpired([{ status: "QUEUED" }]);
      const s = parseScrape((await m.render()).body);
      for (const source of ["runs", "queue", "rows", "checks"]) {
        expect(sampleValue(s, "lignee_metrics_source_up", { source }), source).toBe(0);
      }
      expect(samplesOf(s, "lignee_runs")).toEqual([]);
      expect(sampleValue(s, "lignee_queue_depth")).toBeUndefined();
      expect(sampleValue(s, "lignee_lease_expiries_total", { outcome: "QUEUED" })).toBe(1);
    } finally {
      await away.close();
    }
  });
});
