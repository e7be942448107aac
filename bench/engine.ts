import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import {
  computeStatus,
  dailyPartitions,
  defineAsset,
  Definitions,
  formatDateKey,
  hourlyPartitions,
  IntervalSet,
  migrateDatabase,
  parseDateKey,
  partitionBounds,
  plan,
  PostgresStorage,
  resolvePartitionRequest,
  versionHash,
  type AssetStatus,
  type AssetStorageSummary,
  type PartitionRequest,
  type PartitionsDefinition,
} from "@lignee/engine";
import {
  machineInfo,
  openBenchDatabase,
  RESULTS_DIR,
  seededRandom,
  stats,
  timed,
  writeResults,
  type BenchResult,
} from "./support";
import { benchCliColdStart } from "./engine-cli";
import { benchEagerLatency } from "./engine-eager";
import { benchRunOverhead } from "./engine-overhead";

/**
 * `pnpm bench engine`: the engine's hot paths against a real PostgreSQL.
 *
 * 1. noop_run_p50, chain_of_ten_p50, per_additional_step: prepare + execute a run of one
 *    unpartitioned no-op asset, and of a chain of ten (every storage write included); see
 *    engine-overhead.ts.
 * 2. status_2000_assets_900_partitions: `lignee status` on 2,000 daily assets × 900 partitions,
 *    half materialised, seeded with bulk SQL (getAssetSummaries + computeStatus);
 *    status_200_assets_8760_hourly_partitions: the same on 200 hourly assets × a year of hours
 *    (part `status-hourly`).
 * 3. plan_1000_partition_backfill: resolvePartitionRequest + plan for 1,000 partitions of two
 *    assets (2,000 steps), and of one asset (1,000 steps).
 * 4. eager_automation_latency: from an upstream materialisation's commit to the eager downstream
 *    run being queued, with a scheduler at its default interval; see engine-eager.ts.
 * 5. cli_status_*: `lignee status` started cold, against a running database and starting the
 *    embedded PostgreSQL; see engine-cli.ts.
 */
export async function run(args: readonly string[] = []): Promise<void> {
  const unknown = args.filter((a) => !PARTS.includes(a));
  if (unknown.length > 0) {
    console.error(`unknown part(s) ${unknown.join(", ")}: ${PARTS.join(", ")}`);
    process.exit(2);
  }
  const chosen = new Set(args.length > 0 ? args : PARTS);
  const log = (message: string): void => console.log(message);
  const started = performance.now();
  const results: BenchResult[] = [];
  const db = await openBenchDatabase(log);
  let storage: PostgresStorage | undefined;
  try {
    await migrateDatabase(db.url);
    // As the runtime connects: through the embedded server's Unix socket.
    storage = PostgresStorage.connect(db.localUrl);
    log(`database: ${db.description}`);
    if (chosen.has("overhead")) results.push(...(await benchRunOverhead(storage, log)));
    // Before the status part seeds 2,000 assets: each eager evaluation reads every asset.
    if (chosen.has("eager"))
      results.push(await benchEagerLatency(db.url, log, { baselineSamples: 8 }));
    if (chosen.has("status")) results.push(await benchStatus(storage, db.url, DAILY_ESTATE, log));
    if (chosen.has("status-hourly"))
      results.push(await benchStatus(storage, db.url, HOURLY_ESTATE, log));
  } finally {
    await storage?.close();
    await db.close();
  }
  if (chosen.has("plan")) results.push(...benchPlan(log));
  if (chosen.has("cli")) results.push(...(await benchCliColdStart(log)));

  const file = await writeResults("engine", {
    machine: machineInfo(),
    database: db.description,
    date: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 100) / 10,
    // A run of some parts keeps the other parts' latest figures.
    results: await withEarlierResults(results, chosen),
  });
  console.log("\nengine benchmark");
  for (const r of results) {
    const extra = ["p95", "max", "cold"]
      .filter((k) => typeof r[k] === "number")
      .map((k) => `${k} ${String(r[k])}`)
      .join(", ");
    console.log(
      `  ${r.met ? "ok  " : "MISS"} ${r.name.padEnd(50)} p50 ${String(r.p50).padStart(8)} ms  (${extra}; target ≤ ${r.target} ms)`,
    );
  }
  console.log(`results written to ${file}`);
  const missed = results.filter((r) => !r.met);
  if (missed.length > 0)
    console.log(`${missed.length} target(s) missed: ${missed.map((r) => r.name).join(", ")}`);
}

/** The parts of the benchmark, in the order they run: `pnpm bench engine [part…]`. */
const PARTS = ["overhead", "eager", "status", "status-hourly", "plan", "cli"];

/** The results of the parts not run this time, from the results file, followed by `results`. */
async function withEarlierResults(
  results: readonly BenchResult[],
  chosen: ReadonlySet<string>,
): Promise<BenchResult[]> {
  if (chosen.size === PARTS.length) return [...results];
  const file = path.join(RESULTS_DIR, "engine.json");
  if (!existsSync(file)) return [...results];
  const earlier = (JSON.parse(await readFile(file, "utf8")) as { results?: BenchResult[] }).results;
  const fresh = new Set(results.map((r) => r.name));
  return [...(earlier ?? []).filter((r) => !fresh.has(r.name)), ...results];
}

// ------------------------------------------------------------------ 2. status of 2,000 × 900

/** The shape of a seeded estate: layers × width assets of `partitions` partitions each. */
interface EstateShape {
  readonly name: string;
  readonly label: string;
  readonly layers: number;
  readonly width: number;
  readonly partitions: number;
  /** The first `materialized` partitions are materialised, with a few gaps. */
  readonly materialized: number;
  readonly definition: PartitionsDefinition;
  /** Index of the first partition, and an instant when the `partitions`-th is the last complete one. */
  readonly first: number;
  readonly now: Date;
  /** SQL of a partition's key and materialisation time, from its index `i`. */
  readonly keySql: string;
  readonly materializedAtSql: string;
}

const DAILY_START = parseDateKey("2022-01-01")!;
const DAILY_ESTATE: EstateShape = {
  name: "status_2000_assets_900_partitions",
  label: "2000 assets × 900 daily partitions",
  layers: 20,
  width: 100,
  partitions: 900,
  materialized: 450,
  definition: dailyPartitions({ start: formatDateKey(DAILY_START) }),
  first: DAILY_START,
  // Noon UTC on start + 900 days: in Europe/Paris the last complete day is start + 899.
  now: new Date((DAILY_START + 900) * 86_400_000 + 12 * 3_600_000),
  keySql: "to_char(date '1970-01-01' + i, 'YYYY-MM-DD')",
  materializedAtSql: "timestamptz '1970-01-02 06:00:00+00' + i * interval '1 day'",
};

const HOURLY_DEFINITION = hourlyPartitions({ start: "2024-01-01" });
const HOURLY_START = partitionBounds(HOURLY_DEFINITION, new Date()).first;
const HOURLY_ESTATE: EstateShape = {
  name: "status_200_assets_8760_hourly_partitions",
  label: "200 assets × 8,760 hourly partitions",
  layers: 10,
  width: 20,
  partitions: 8_760,
  materialized: 4_380,
  definition: HOURLY_DEFINITION,
  first: HOURLY_START,
  // Half past the hour after the 8,760th: that hour is the last complete one.
  now: new Date((HOURLY_START + 8_760) * 3_600_000 + 30 * 60_000),
  // Local keys as the engine writes them, but for the suffix of the hour clocks repeat: status
  // reads indices, not keys.
  keySql:
    "to_char((timestamptz 'epoch' + i * interval '1 hour') AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD-HH24:MI')",
  materializedAtSql: "timestamptz 'epoch' + i * interval '1 hour' + interval '65 minutes'",
};

const STATUS_WARMUP = 2;
const STATUS_REPS = 10;

/** What storage will hold of one seeded asset (nothing running), with its definition. */
interface SeededAsset extends Omit<AssetStorageSummary, "running"> {
  readonly key: string;
  readonly deps: readonly string[];
  readonly codeVersion: string;
}

/**
 * Layers of assets (20 of 100 daily ones, 10 of 20 hourly ones); each asset reads 1–3 assets of
 * the layer above (identity mapping). The first half of the partitions are materialised, with a
 * few gaps; some assets have stale marks from an upstream, an old code version on part of their
 * partitions, an old dependency list, or failed partitions just after the materialised ones.
 */
function syntheticEstate(shape: EstateShape): SeededAsset[] {
  const random = seededRandom(20_240_619);
  const pick = (n: number): number => Math.floor(random() * n);
  const { layers, width, materialized: half } = shape;
  const day = (offset: number): number => shape.first + offset;

  const assets: SeededAsset[] = [];
  const keyOf = (layer: number, i: number): string =>
    `layer_${String(layer).padStart(2, "0")}/asset_${String(i).padStart(3, "0")}`;
  for (let layer = 0; layer < layers; layer++) {
    for (let i = 0; i < width; i++) {
      const key = keyOf(layer, i);
      const deps = new Set<string>();
      if (layer > 0) {
        const n = 1 + pick(3);
        while (deps.size < n) deps.add(keyOf(layer - 1, pick(width)));
      }
      const depsSignature = [...deps].sort().join(",");

      let materialized = IntervalSet.fromRange(day(0), day(half));
      if (random() < 0.1) {
        const gapStart = day(10 + pick(half - 20));
        materialized = materialized.subtract(
          IntervalSet.fromRange(gapStart, gapStart + 1 + pick(5)),
        );
      }
      let codeVersion = "1";
      const versions: SeededAsset["versions"][number][] = [];
      const roll = random();
      if (roll < 0.01) {
        // Code changed since the first 200 days were built.
        codeVersion = "2";
        const old = materialized.intersect(IntervalSet.fromRange(day(0), day(200)));
        versions.push({ codeVersion: "1", depsSignature, partitions: old });
        versions.push({ codeVersion: "2", depsSignature, partitions: materialized.subtract(old) });
      } else if (roll < 0.015 && deps.size >= 2) {
        // One dependency was added after the first 100 days were built.
        const old = materialized.intersect(IntervalSet.fromRange(day(0), day(100)));
        const before = [...deps].sort().slice(1).join(",");
        versions.push({ codeVersion, depsSignature: before, partitions: old });
        versions.push({ codeVersion, depsSignature, partitions: materialized.subtract(old) });
      } else {
        versions.push({ codeVersion, depsSignature, partitions: materialized });
      }

      const staleMarks: SeededAsset["staleMarks"][number][] = [];
      const firstDep = [...deps][0];
      if (firstDep !== undefined && random() < 0.1) {
        const from = day(half - 30 - pick(60));
        staleMarks.push({
          upstreamKey: firstDep,
          partitions: IntervalSet.fromRange(from, from + 10 + pick(20)),
        });
      }
      const failed =
        random() < 0.02 ? IntervalSet.fromRange(day(half), day(half + 3)) : IntervalSet.EMPTY;
      assets.push({
        key,
        deps: [...deps],
        codeVersion,
        versions: versions.filter((v) => !v.partitions.isEmpty),
        staleMarks,
        failed,
      });
    }
  }
  return assets;
}

/** Removes an estate seeded before (by the other status part of the same run). */
async function clearEstate(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("BEGIN");
    for (const table of [
      "asset_partitions",
      "asset_version_ranges",
      "asset_digests",
      "asset_stale_marks",
      "asset_failed",
    ]) {
      await client.query(`DELETE FROM lignee.${table} WHERE asset_key LIKE 'layer\\_%'`);
    }
    await client.query("DELETE FROM lignee.runs WHERE id = 'bench-seed'");
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
}

/** Writes the estate straight into the lignee tables with set-based SQL. */
async function seed(
  url: string,
  shape: EstateShape,
  assets: readonly SeededAsset[],
  log: (m: string) => void,
): Promise<void> {
  const segments = {
    key: [] as string[],
    lo: [] as number[],
    hi: [] as number[],
    cv: [] as string[],
    ds: [] as string[],
  };
  const marks = { key: [] as string[], up: [] as string[], lo: [] as number[], hi: [] as number[] };
  const failed = { key: [] as string[], lo: [] as number[], hi: [] as number[] };
  for (const a of assets) {
    for (const v of a.versions) {
      for (const [lo, hi] of v.partitions.ranges) {
        segments.key.push(a.key);
        segments.lo.push(lo);
        segments.hi.push(hi);
        segments.cv.push(v.codeVersion);
        segments.ds.push(v.depsSignature);
      }
    }
    for (const m of a.staleMarks) {
      for (const [lo, hi] of m.partitions.ranges) {
        marks.key.push(a.key);
        marks.up.push(m.upstreamKey);
        marks.lo.push(lo);
        marks.hi.push(hi);
      }
    }
    for (const [lo, hi] of a.failed.ranges) {
      failed.key.push(a.key);
      failed.lo.push(lo);
      failed.hi.push(hi);
    }
  }

  const client = new pg.Client({ connectionString: url });
  client.on("error", () => undefined); // e.g. the server stopped on Ctrl-C; the query fails anyway
  await client.connect();
  try {
    const step = async (label: string, sql: string, params: unknown[] = []): Promise<void> => {
      const { ms, value } = await timed(() => client.query(sql, params));
      log(`  seed: ${label}: ${value.rowCount ?? 0} rows in ${(ms / 1000).toFixed(1)} s`);
    };
    await client.query("BEGIN");
    await step(
      "runs",
      `INSERT INTO lignee.runs (id, status, selection, asset_keys, tags, created_at, started_at, ended_at, hostname, pid)
       VALUES ('bench-seed', 'SUCCESS', '*', '[]'::jsonb, '{}'::jsonb, now(), now(), now(), 'bench', 0)`,
    );
    // One row per partition, with the same version hash as versionHash(key, dataVersion).
    await step(
      "asset_partitions",
      `INSERT INTO lignee.asset_partitions
         (asset_key, partition_key, partition_index, materialization_id, run_id, data_version, version_hash,
          code_version, deps_signature, materialized_at)
       SELECT k, pk, i, (SELECT coalesce(max(id), 0) FROM lignee.materializations) + row_number() OVER (), 'bench-seed', dv,
              ('x' || encode(substring(sha256(convert_to(pk, 'UTF8') || '\\x00'::bytea || convert_to(dv, 'UTF8'))
                                       FROM 1 FOR 8), 'hex'))::bit(64)::bigint,
              cv, ds, ${shape.materializedAtSql}
       FROM (
         SELECT s.k, s.cv, s.ds, i, ${shape.keySql} AS pk, 'seed-' || i AS dv
         FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::text[]) AS s(k, lo, hi, cv, ds),
              generate_series(s.lo, s.hi - 1) AS i
       ) AS p`,
      [segments.key, segments.lo, segments.hi, segments.cv, segments.ds],
    );
    await step(
      "asset_version_ranges",
      `INSERT INTO lignee.asset_version_ranges (asset_key, code_version, deps_signature, partitions)
       SELECT asset_key, code_version, deps_signature, range_agg(int4range(partition_index, partition_index + 1))
       FROM lignee.asset_partitions WHERE run_id = 'bench-seed'
       GROUP BY asset_key, code_version, deps_signature`,
    );
    await step(
      "asset_digests",
      `INSERT INTO lignee.asset_digests (asset_key, digest, partition_count, last_materialization_id)
       SELECT asset_key, bit_xor(version_hash), count(*), max(materialization_id)
       FROM lignee.asset_partitions WHERE run_id = 'bench-seed' GROUP BY asset_key`,
    );
    await step(
      "asset_stale_marks",
      `INSERT INTO lignee.asset_stale_marks (asset_key, upstream_key, partitions)
       SELECT k, u, range_agg(int4range(lo, hi))
       FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) AS m(k, u, lo, hi) GROUP BY k, u`,
      [marks.key, marks.up, marks.lo, marks.hi],
    );
    await step(
      "asset_failed",
      `INSERT INTO lignee.asset_failed (asset_key, partitions)
       SELECT k, range_agg(int4range(lo, hi)) FROM unnest($1::text[], $2::int[], $3::int[]) AS f(k, lo, hi) GROUP BY k`,
      [failed.key, failed.lo, failed.hi],
    );
    // Later materialisations get ids above the seeded ones.
    await client.query(
      `SELECT setval(pg_get_serial_sequence('lignee.materializations', 'id'),
                     (SELECT max(materialization_id) FROM lignee.asset_partitions))`,
    );
    await client.query("COMMIT");
    await step("analyze", "ANALYZE");

    // The SQL hash must be the engine's, or the digests would be inconsistent.
    const sample = await client.query<{
      partition_key: string;
      data_version: string;
      version_hash: string;
    }>(
      "SELECT partition_key, data_version, version_hash::text FROM lignee.asset_partitions ORDER BY random() LIMIT 5",
    );
    for (const r of sample.rows) {
      if (BigInt(r.version_hash) !== versionHash(r.partition_key, r.data_version)) {
        throw new Error(`seeded version hash of ${r.partition_key} differs from versionHash()`);
      }
    }
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

async function benchStatus(
  storage: PostgresStorage,
  url: string,
  shape: EstateShape,
  log: (m: string) => void,
): Promise<BenchResult> {
  log(`\n[2/3] status of ${shape.label}`);
  const assets = syntheticEstate(shape);
  const now = shape.now;
  const definitions = Definitions.create({
    assets: assets.map((a) =>
      defineAsset({
        key: a.key,
        deps: a.deps,
        codeVersion: a.codeVersion,
        partitions: shape.definition,
        materialize: async () => undefined,
      }),
    ),
  });
  await clearEstate(url);
  const { ms: seedMs } = await timed(() => seed(url, shape, assets, log));
  log(`  seeded in ${(seedMs / 1000).toFixed(1)} s`);

  const samples: number[] = [];
  const queryMs: number[] = [];
  const computeMs: number[] = [];
  let cold = 0;
  let statuses = new Map<string, AssetStatus>();
  for (let r = 0; r < STATUS_WARMUP + STATUS_REPS; r++) {
    const t0 = performance.now();
    const summaries = await storage.getAssetSummaries();
    const t1 = performance.now();
    statuses = computeStatus(definitions, summaries, now);
    const t2 = performance.now();
    if (r === 0) {
      cold = t2 - t0;
      checkSummaries(assets, summaries);
    }
    if (r >= STATUS_WARMUP) {
      samples.push(t2 - t0);
      queryMs.push(t1 - t0);
      computeMs.push(t2 - t1);
    }
  }
  const totals = checkStatuses(assets, statuses, shape.partitions);
  log(
    `  partitions: ${totals.FRESH} fresh, ${totals.STALE} stale, ${totals.MISSING} missing, ${totals.FAILED} failed; ` +
      `${totals.staleAssets} stale assets, ${totals.causes} causes`,
  );
  const s = stats(samples);
  const q = stats(queryMs);
  const c = stats(computeMs);
  log(`  getAssetSummaries p50 ${q.p50} ms, computeStatus p50 ${c.p50} ms`);
  return {
    name: shape.name,
    unit: "ms",
    ...s,
    cold: Math.round(cold * 100) / 100,
    getAssetSummariesP50: q.p50,
    computeStatusP50: c.p50,
    seedSeconds: Math.round(seedMs / 100) / 10,
    assets: assets.length,
    partitionsPerAsset: shape.partitions,
    partitionStatusTotals: totals,
    targetStat: "p50",
    target: 500,
    met: s.p50 <= 500,
  };
}

/** The roll-ups read back must be exactly what was seeded. */
function checkSummaries(
  assets: readonly SeededAsset[],
  summaries: Awaited<ReturnType<PostgresStorage["getAssetSummaries"]>>,
): void {
  for (const a of assets) {
    const s = summaries.get(a.key);
    if (!s) throw new Error(`no stored summary for ${a.key}`);
    const expected = IntervalSet.unionAll(a.versions.map((v) => v.partitions));
    const got = IntervalSet.unionAll(s.versions.map((v) => v.partitions));
    if (!got.equals(expected) || s.versions.length !== a.versions.length) {
      throw new Error(`stored versions of ${a.key} differ from the seeded ones`);
    }
    if (!s.failed.equals(a.failed) || s.staleMarks.length !== a.staleMarks.length) {
      throw new Error(
        `stored failed partitions or stale marks of ${a.key} differ from the seeded ones`,
      );
    }
  }
}

/** Throws unless every asset's status is consistent with what was seeded; returns totals. */
function checkStatuses(
  assets: readonly SeededAsset[],
  statuses: ReadonlyMap<string, AssetStatus>,
  partitions: number,
) {
  const totals = {
    FRESH: 0,
    STALE: 0,
    MISSING: 0,
    FAILED: 0,
    RUNNING: 0,
    staleAssets: 0,
    causes: 0,
  };
  const fail = (key: string, why: string, status: AssetStatus): never => {
    throw new Error(
      `implausible status for ${key}: ${why} (counts ${JSON.stringify(status.counts)})`,
    );
  };
  const materializedOf = new Map(
    assets.map((a) => [a.key, IntervalSet.unionAll(a.versions.map((v) => v.partitions))]),
  );
  for (const a of assets) {
    const st = statuses.get(a.key);
    if (!st) throw new Error(`no status for ${a.key}`);
    const { FRESH, STALE, MISSING, FAILED, RUNNING } = st.counts;
    const materialized = IntervalSet.unionAll(a.versions.map((v) => v.partitions)).size;
    if (st.total !== partitions || FRESH + STALE + MISSING + FAILED + RUNNING !== partitions) {
      fail(a.key, `counts do not sum to ${partitions}`, st);
    }
    // A materialised partition whose upstream partition is missing (a gap upstream) waits on it:
    // MISSING, never fresh or stale.
    const own = IntervalSet.unionAll(a.versions.map((v) => v.partitions));
    const waiting = a.deps
      .map((d) => own.subtract(materializedOf.get(d) ?? IntervalSet.EMPTY))
      .reduce((acc, w) => acc.union(w), IntervalSet.EMPTY).size;
    if (FRESH + STALE !== materialized - waiting)
      fail(
        a.key,
        `fresh + stale ≠ ${materialized} materialised − ${waiting} waiting on upstream`,
        st,
      );
    if (FAILED !== a.failed.size) fail(a.key, `failed ≠ ${a.failed.size}`, st);
    const ownCause =
      a.staleMarks.length > 0 ||
      a.versions.some((v) => v.codeVersion !== a.codeVersion) ||
      a.versions.length > 1;
    if (ownCause && STALE === 0)
      fail(a.key, "seeded stale marks or old versions but nothing is stale", st);
    totals.FRESH += FRESH;
    totals.STALE += STALE;
    totals.MISSING += MISSING;
    totals.FAILED += FAILED;
    totals.RUNNING += RUNNING;
    totals.causes += st.causes.length;
    if (STALE > 0) totals.staleAssets++;
  }
  if (totals.STALE === 0 || totals.FRESH === 0)
    throw new Error("implausible status: no stale or no fresh partition");
  return totals;
}

// ------------------------------------------------------------------ 3. planning a backfill

const PLAN_WARMUP = 5;
const PLAN_REPS = 50;
const PLAN_PARTITIONS = 1_000;

function benchPlan(log: (m: string) => void): BenchResult[] {
  log(
    `\n[3/3] planning a ${PLAN_PARTITIONS}-partition backfill: ${PLAN_WARMUP} warm-up + ${PLAN_REPS} repetitions`,
  );
  const start = "2021-01-01";
  const startDay = parseDateKey(start)!;
  const now = new Date(Date.UTC(2024, 5, 19, 12)); // 1,265 daily partitions
  const partitions = dailyPartitions({ start });
  const definitions = Definitions.create({
    assets: [
      defineAsset({ key: "bench/raw", partitions, materialize: async () => undefined }),
      defineAsset({
        key: "bench/derived",
        deps: ["bench/raw"],
        partitions,
        materialize: async () => undefined,
      }),
    ],
  });
  const request: PartitionRequest = {
    kind: "range",
    from: start,
    to: formatDateKey(startDay + PLAN_PARTITIONS - 1),
  };

  const measure = (name: string, assetKeys: readonly string[]): BenchResult => {
    const samples: number[] = [];
    for (let r = 0; r < PLAN_WARMUP + PLAN_REPS; r++) {
      const t0 = performance.now();
      const targets = resolvePartitionRequest(definitions, assetKeys, request, now);
      const p = plan(definitions, targets, now);
      const ms = performance.now() - t0;
      const expected = PLAN_PARTITIONS * assetKeys.length;
      if (p.steps.length !== expected)
        throw new Error(`${name}: ${p.steps.length} steps, expected ${expected}`);
      const derived = p.steps.filter((s) => s.assetKey === "bench/derived");
      if (derived.some((s) => s.dependsOn.length !== 1))
        throw new Error(`${name}: a derived step lacks its upstream`);
      if (r >= PLAN_WARMUP) samples.push(ms);
    }
    const s = stats(samples);
    return {
      name,
      unit: "ms",
      steps: PLAN_PARTITIONS * assetKeys.length,
      ...s,
      targetStat: "p50",
      target: 50,
      met: s.p50 <= 50,
    };
  };
  return [
    measure("plan_1000_partition_backfill", ["bench/raw", "bench/derived"]),
    measure("plan_1000_partition_backfill_single_asset", ["bench/raw"]),
  ];
}
