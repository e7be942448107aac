import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { createServer, Metrics, migrateDatabase, PostgresStorage } from "@lignee/engine";
import { openBenchDatabase, stats, timed } from "./support";
import { buildUiEstate, seedUiEstate, uiDefinitions } from "./ui-estate";

/**
 * `GET /metrics` of a server over the 2,000-asset estate of `pnpm bench ui` (bench/ui-estate.ts:
 * ~500 daily assets with 1,000+ partitions each, 335,000 materialisations), with a history of
 * 50,000 runs (200 of them queued) and 20,000 check results, scraped over HTTP with the token
 * as Prometheus does. 1. `scrape`: the server as `lignee server` runs it (what storage knows,
 * and the process's own metrics). Target: p95 ≤ 50 ms. 2. `scrape_dev`: the same registry also
 * holding what a `lignee dev` worker counts after executing a step of every one of the 2,000
 * assets (a step-duration histogram each): the largest scrape a process makes.
 */
const SCRAPES = 60;
const CHECK_RESULTS = 20_000;
const WARM_UP = 5;
const TARGET_MS = 50;

export interface MetricsBenchFigures {
  readonly [name: string]: number;
  readonly assets: number;
  readonly runs: number;
  readonly scrape_p50_ms: number;
  readonly scrape_p95_ms: number;
  readonly scrape_max_ms: number;
  readonly series: number;
  readonly body_kib: number;
  readonly scrape_dev_p50_ms: number;
  readonly scrape_dev_p95_ms: number;
  readonly series_dev: number;
  readonly body_dev_kib: number;
  readonly target_ms: number;
  readonly load_average_1m: number;
}

export async function benchMetrics(
  log: (message: string) => void = (m) => console.log(m),
): Promise<MetricsBenchFigures> {
  const db = await openBenchDatabase(log);
  let storage: PostgresStorage | undefined;
  try {
    await migrateDatabase(db.url);
    storage = PostgresStorage.connect(db.url);
    const assets = buildUiEstate();
    const definitions = uiDefinitions(assets);
    log(`metrics: seeding ${assets.length} assets…`);
    const { ms: seedMs } = await timed(() =>
      seedUiEstate(storage!, definitions, assets, new Date(), () => undefined),
    );
    const runs = await seedHistory(
      db.url,
      assets.map((a) => a.key),
    );
    log(`  seeded in ${(seedMs / 1000).toFixed(1)} s, then ${runs} runs and check results`);

    const metrics = new Metrics({ processMetrics: true });
    const token = "bench-t0ken";
    const server = await createServer({
      definitions,
      runtime: { storage, databaseUrl: db.url, home: "" },
      port: 0,
      token,
      metrics,
      log: () => undefined,
    });
    try {
      const scrape = async (): Promise<string> => {
        const res = await fetch(`${server.url}/metrics`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
        return res.text();
      };
      const alone = await measure(scrape);
      for (const asset of assets) observeStep(metrics, asset.key);
      const dev = await measure(scrape);
      const figures: MetricsBenchFigures = {
        assets: assets.length,
        runs,
        scrape_p50_ms: alone.stats.p50,
        scrape_p95_ms: alone.stats.p95,
        scrape_max_ms: alone.stats.max,
        series: alone.series,
        body_kib: alone.kib,
        scrape_dev_p50_ms: dev.stats.p50,
        scrape_dev_p95_ms: dev.stats.p95,
        series_dev: dev.series,
        body_dev_kib: dev.kib,
        target_ms: TARGET_MS,
        // Timings suffer first from other work on the machine: recorded with them.
        load_average_1m: Math.round(loadavg()[0]! * 100) / 100,
      };
      const ok = alone.stats.p95 <= TARGET_MS ? "✓" : "✗";
      log(
        `metrics: GET /metrics over ${assets.length} assets and ${runs} runs: p50 ${alone.stats.p50} ms, ` +
          `p95 ${alone.stats.p95} ms (${alone.series} series, ${alone.kib} KiB; target ≤ ${TARGET_MS} ms) ${ok}; ` +
          `with 2,000 step histograms (lignee dev): p50 ${dev.stats.p50} ms, p95 ${dev.stats.p95} ms ` +
          `(${dev.series} series, ${dev.kib} KiB); load average ${figures.load_average_1m}`,
      );
      return figures;
    } finally {
      await server.close();
    }
  } finally {
    await storage?.close();
    await db.close();
  }
}

/** Scrapes after a warm-up: timings, and the size of the last answer. */
async function measure(
  scrape: () => Promise<string>,
): Promise<{ stats: ReturnType<typeof stats>; series: number; kib: number }> {
  let body = "";
  for (let i = 0; i < WARM_UP; i++) body = await scrape();
  const samples: number[] = [];
  for (let i = 0; i < SCRAPES; i++) samples.push((await timed(scrape)).ms);
  return {
    stats: stats(samples),
    series: body.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length,
    kib: Math.round(Buffer.byteLength(body) / 1024),
  };
}

/** What a worker counts after a successful step of the asset. */
function observeStep(metrics: Metrics, asset: string): void {
  metrics.execution.observeEvent({
    type: "STEP_SUCCESS",
    level: "info",
    message: `Succeeded ${asset}`,
    assetKey: asset,
    data: { durationMs: 1_234, partitionCount: 1, assetKeys: [asset] },
    timestamp: new Date(),
  });
}

/** 50,000 finished or queued runs and 20,000 more check results, in a few statements. */
async function seedHistory(url: string, assetKeys: readonly string[]): Promise<number> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO lignee.runs (id, status, selection, asset_keys, created_at, ended_at)
       SELECT 'bench-metrics-' || i,
              CASE WHEN i <= 200 THEN 'QUEUED' WHEN i % 10 = 0 THEN 'FAILURE'
                   WHEN i % 97 = 0 THEN 'CANCELED' ELSE 'SUCCESS' END,
              k.keys[1 + i % cardinality(k.keys)], jsonb_build_array(k.keys[1 + i % cardinality(k.keys)]),
              now() - (i || ' minutes')::interval,
              CASE WHEN i <= 200 THEN NULL ELSE now() - (i || ' minutes')::interval END
       FROM generate_series(1, 50000) AS i, (SELECT $1::text[] AS keys) AS k`,
      [assetKeys],
    );
    // The estate's checks (one on about 12% of the assets) evaluated again and again: a long
    // history per check, as materialisations leave.
    const checks = await client.query<{ asset_key: string; check_name: string; severity: string }>(
      "SELECT DISTINCT asset_key, check_name, severity FROM lignee.check_results",
    );
    const pick = (i: number) => checks.rows[i % checks.rows.length]!;
    const indices = Array.from({ length: CHECK_RESULTS }, (_, i) => i);
    await client.query(
      `INSERT INTO lignee.check_results (run_id, asset_key, partition_key, check_name, passed, severity)
       SELECT 'bench-metrics-1000', a, 'p' || (i % 90), c, i % 13 <> 0, s
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS x(a, c, s, i)`,
      [
        indices.map((i) => pick(i).asset_key),
        indices.map((i) => pick(i).check_name),
        indices.map((i) => pick(i).severity),
        indices,
      ],
    );
    // A database in its steady state: autovacuum has seen these tables (statistics, visibility).
    await client.query("VACUUM ANALYZE lignee.runs, lignee.check_results");
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM lignee.runs",
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

// `tsx bench/ops-metrics.ts`: run on its own.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  benchMetrics().then(
    (figures) => console.log(JSON.stringify(figures)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
