import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Metrics,
  PostgresMetricsStore,
  RunQueue,
  type StorageMetricsOptions,
} from "@lignee/engine";
import { lignee, ligneeCommand, REPO_ROOT } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { parseScrape, sampleValue, type Scrape } from "./support/prometheus";
import { waitFor } from "./support/wait";

/**
 * The processes docker-compose runs, as real processes: `lignee server`, `lignee worker
 * --metrics-port` and `lignee scheduler --metrics-port`, each serving GET /metrics under the
 * token; and the Grafana dashboard, whose every query names a metric one of them exports.
 */
const TOKEN = "process-t0ken";
const EXAMPLE = ["--definitions", "packages/engine/src/examples/example-definitions.ts"];

let databaseUrl: string;
let uiDir: string;
const children: ChildProcess[] = [];
const endpoints: Record<"server" | "worker" | "scheduler", string> = {
  server: "",
  worker: "",
  scheduler: "",
};

/** Starts `lignee ARGS`; resolves to the URL it prints after `marker`. */
function start(args: readonly string[], marker: RegExp): Promise<string> {
  const child = spawn(...ligneeCommand([...EXAMPLE, ...args]), {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      LIGNEE_API_TOKEN: TOKEN,
      LIGNEE_UI_DIR: uiDir,
      LIGNEE_UI_SOURCES: path.join(uiDir, "no-sources"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const seen = (d: Buffer): void => {
      output += d.toString();
      const match = marker.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on("data", seen);
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (code) => reject(new Error(`lignee ${args[0]} exited (${code}): ${output}`)));
  });
}

const scrape = async (url: string, token: string | null = TOKEN): Promise<Response> =>
  fetch(url, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

const scraped = async (url: string): Promise<Scrape> => {
  const res = await scrape(url);
  expect(res.status, url).toBe(200);
  return parseScrape(await res.text());
};

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  uiDir = await mkdtemp(path.join(tmpdir(), "lignee-metrics-ui-"));
  const [server, worker, scheduler] = await Promise.all([
    start(["server", "--port", "0"], /serving on (http:\/\/\S+) /),
    start(["worker", "--metrics-port", "0"], /metrics at (http:\/\/\S+)\n/),
    start(
      ["scheduler", "--metrics-port", "0", "--interval-ms", "200"],
      /metrics at (http:\/\/\S+)\n/,
    ),
  ]);
  endpoints.server = `${server}/metrics`;
  endpoints.worker = worker!;
  endpoints.scheduler = scheduler!;
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) =>
          c.exitCode !== null ? resolve() : c.on("close", () => resolve()),
        ),
    ),
  );
  await rm(uiDir, { recursive: true, force: true });
});

describe("GET /metrics of the worker and the scheduler", () => {
  it("answer under the token, on loopback", async () => {
    for (const url of [endpoints.worker, endpoints.scheduler]) {
      expect(new URL(url).hostname).toBe("127.0.0.1");
      expect((await scrape(url, null)).status, url).toBe(401);
      expect((await scrape(url, "wrong")).status, url).toBe(401);
      const res = await scrape(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    }
  });

  it("count what each process did: the worker's run and steps, the scheduler's evaluations", async () => {
    const queue = RunQueue.connect(databaseUrl);
    try {
      const id = await queue.enqueue({
        selection: "raw/events",
        assetKeys: ["raw/events"],
        partitions: { kind: "single", key: "2024-08-01" },
      });
      await waitFor("the worker to run it", async () => {
        const s = await scraped(endpoints.worker);
        return sampleValue(s, "lignee_runs_finished_total", { outcome: "SUCCESS" }) === 1
          ? s
          : undefined;
      });
      const worker = await scraped(endpoints.worker);
      expect(
        sampleValue(worker, "lignee_step_duration_seconds_count", {
          asset: "raw/events",
          outcome: "success",
        }),
      ).toBe(1);
      expect(sampleValue(worker, "lignee_materialized_rows_total", { asset: "raw/events" })).toBe(
        100,
      );
      // The process's own metrics too, named for Lignée.
      expect(sampleValue(worker, "lignee_process_resident_memory_bytes")).toBeGreaterThan(0);
      // The server reads the run from storage.
      const server = await scraped(endpoints.server);
      expect(sampleValue(server, "lignee_runs", { status: "SUCCESS" })).toBe(1);
      expect(sampleValue(server, "lignee_asset_rows", { asset: "raw/events" })).toBe(100);
      expect(id).toBeTruthy();
    } finally {
      await queue.close();
    }
    const scheduler = await scraped(endpoints.scheduler);
    expect(
      sampleValue(scheduler, "lignee_scheduler_evaluations_total", { outcome: "ok" }),
    ).toBeGreaterThan(0);
  });

  it("refuses a non-loopback metrics host without a token", async () => {
    const result = await lignee(
      [...EXAMPLE, "worker", "--metrics-port", "0", "--metrics-host", "0.0.0.0"],
      { DATABASE_URL: databaseUrl, LIGNEE_API_TOKEN: "" },
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("refusing to serve metrics on 0.0.0.0 without a token");
  });
});

/**
 * Metrics the dashboard shows that no process exports until their provider is wired into the
 * server's metrics (`createServer`'s `metricsSources`): each must be exported when the provider
 * is given, and must not be exported by the server yet (remove it from here once wired).
 */
const AWAITING_PROVIDER: Readonly<Record<string, keyof StorageMetricsOptions>> = {};

describe("the Grafana dashboard", () => {
  const dashboard = JSON.parse(
    readFileSync(path.join(REPO_ROOT, "deploy/grafana/lignee-dashboard.json"), "utf8"),
  ) as {
    panels: { type: string; title: string; targets?: { expr: string }[] }[];
    templating: { list: { query: { query: string } }[] };
  };
  const queries = [
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ...dashboard.templating.list.map((v) => v.query.query),
  ];

  it("queries only metrics the server, a worker or the scheduler exports", async () => {
    const used = new Set(queries.flatMap(metricNamesOf));
    // Sanity: the extraction finds what the dashboard is about.
    expect([...used]).toEqual(
      expect.arrayContaining([
        "lignee_runs",
        "lignee_step_duration_seconds_bucket",
        "lignee_asset_rows",
      ]),
    );
    const exported = new Set<string>();
    for (const url of Object.values(endpoints)) {
      for (const [name, family] of (await scraped(url)).families) {
        exported.add(name);
        // A histogram is queried by its series.
        if (family.type === "HISTOGRAM")
          for (const suffix of ["_bucket", "_sum", "_count"]) exported.add(`${name}${suffix}`);
      }
    }
    const missing = [...used].filter((name) => !exported.has(name) && !(name in AWAITING_PROVIDER));
    expect(missing, "the dashboard queries metrics nobody exports").toEqual([]);
    for (const name of Object.keys(AWAITING_PROVIDER)) {
      expect(used.has(name), `${name} is on the dashboard`).toBe(true);
      expect(exported.has(name), `${name} is exported now: remove it from AWAITING_PROVIDER`).toBe(
        false,
      );
    }
  });

  it("shows the metrics of freshness and alerts once their providers are given", async () => {
    const store = PostgresMetricsStore.connect(databaseUrl);
    try {
      const metrics = new Metrics();
      metrics.readStorage({
        store,
        freshnessLags: async () => [],
        alertDeliveries: async () => [],
      });
      const { families } = parseScrape((await metrics.render()).body);
      for (const name of Object.keys(AWAITING_PROVIDER))
        expect(families.has(name), name).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("extracts metric names from PromQL, not function names, labels or keywords", () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.95, sum by (asset, le) (rate(a_bucket{asset=~"$asset", outcome="x"}[5m]))) / on (asset) b_total or vector(0)',
      ),
    ).toEqual(["a_bucket", "b_total"]);
    expect(metricNamesOf("label_values(lignee_asset_rows, asset)")).toEqual(["lignee_asset_rows"]);
  });
});

const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "inf",
  "nan",
]);

/**
 * The metric names of a PromQL expression (or a Grafana `label_values(metric, label)` query):
 * identifiers that are not calls, keywords, label names (inside `{…}` or a `by (…)` list),
 * strings or durations.
 */
function metricNamesOf(expr: string): string[] {
  const labelValues = /^label_values\(\s*([a-zA-Z_:][\w:]*)\s*,/.exec(expr);
  if (labelValues) return [labelValues[1]!];
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  const names: string[] = [];
  for (const m of stripped.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    const name = m[0];
    const after = stripped.slice(m.index + name.length).trimStart();
    if (after.startsWith("(") || KEYWORDS.has(name.toLowerCase())) continue;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}
