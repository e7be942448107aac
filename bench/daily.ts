import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  FileRawStore,
  Definitions,
  executeRun,
  migrateDatabase,
  PostgresStorage,
  prepareRun,
  type PartitionRequest,
  type RunEvent,
} from "@lignee/engine";
import {
  FranceTravailClient,
  readFranceTravailConfig,
  startSimulator,
  type RunningSimulator,
} from "../packages/assets/src/france-travail/index";
import type { JobOfferResources } from "../packages/assets/src/resources";
import { Warehouse } from "../packages/assets/src/warehouse/warehouse";
import { machineInfo, median, openBenchDatabase, withClient, writeResults } from "./support";

/**
 * `pnpm bench daily`: the 01:00 pipeline for one weekday, its warehouse part (`SELECTION`:
 * raw/offres and fait_offre_emploi, what `raw/offres+` was before the lake) for 2024-08-05 (a
 * Monday) through the engine, as `lignee materialize --select raw/offres,emploi/fait_offre_emploi
 * --partition 2024-08-05` runs it: collect the day's 50,000 offers from the simulated API at 10
 * calls/s, load them, build that day of `fait_offre_emploi` with dbt (and its dbt tests),
 * evaluate the quality checks. The lake's Spark assets downstream (silver/offres, gold/…) are
 * timed by `pnpm bench lake` and `pnpm bench spark`.
 *
 * The warehouse is first prepared as a real daily run finds it (untimed, the API unthrottled):
 * the reference data and the four previous days collected, every model built. Each timed run
 * then starts from that state (the day's rows and file removed, VACUUM ANALYZE). The floor is
 * what the API's rate limit alone costs the collection of that run: its pages / 10 calls/s;
 * the target is a total of at most 1.10 × the floor. `LIGNEE_DBT_WARM=0` measures the
 * per-run dbt process instead of the warm one.
 */
const DAY = "2024-08-05";
/** The daily pipeline's warehouse part: the day's offers and its fact rows. */
const SELECTION = "raw/offres,emploi/fait_offre_emploi";
const PREVIOUS = { from: "2024-08-01", to: "2024-08-04" };
const OFFERS = 50_000;
const RATE = 10;
const PAGE_SIZE = 150;
const TARGET_RATIO = 1.1;
const DEFAULT_RUNS = 3;

type Log = (message: string) => void;

interface DailyRun {
  readonly totalSeconds: number;
  readonly collectAndLoadSeconds: number;
  readonly collectSeconds: number;
  readonly loadTailSeconds: number;
  readonly rawChecksSeconds: number;
  readonly dbtSeconds: number;
  readonly checksSeconds: number;
  readonly otherSeconds: number;
  readonly pages: number;
  readonly apiCalls: number;
  readonly offers: number;
  readonly floorSeconds: number;
  readonly ratio: number;
  readonly faitRows: number;
  /** Each evaluated check's own duration (ms), `asset:check`. */
  readonly checkMs: Record<string, number>;
  /** dbt's result line of each node it ran (`… PASS not_null_… in 0.05s`). */
  readonly dbtNodes: string[];
}

export async function run(args: readonly string[] = []): Promise<void> {
  const runs = Number(args[0] ?? DEFAULT_RUNS);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be ≥ 1, got ${args[0]}`);
  const log: Log = (m) => console.error(m);
  const started = performance.now();
  const db = await openBenchDatabase(log);
  const dataDir = await mkdtemp(path.join(tmpdir(), "lignee-bench-daily-"));
  process.env.LIGNEE_DATA_DIR = dataDir;
  const fast = await startSimulator({
    seed: 1,
    offersPerWeekday: OFFERS,
    rateLimitPerSecond: 0,
  });
  const slow = await startSimulator({
    seed: 1,
    offersPerWeekday: OFFERS,
    rateLimitPerSecond: RATE,
  });
  const warehouse = new Warehouse(db.url);
  const resources = {
    warehouse,
    dataDir,
    rawStore: new FileRawStore(dataDir),
    franceTravail: clientOf(fast, 0),
    franceTravailConfig: fast.clientConfig(),
    simulator: fast,
    close: async () => undefined,
  } satisfies JobOfferResources as {
    -readonly [K in keyof JobOfferResources]: JobOfferResources[K];
  };
  let storage: PostgresStorage | undefined;
  try {
    log(`database: ${db.description}`);
    await migrateDatabase(db.url);
    storage = PostgresStorage.connect(db.url);
    const module = (await import("../packages/assets/src/definitions")) as {
      default: Definitions<JobOfferResources>;
    };
    const jobOffers = module.default;
    const definitions = Definitions.create<JobOfferResources>({
      assets: jobOffers.assets,
      checks: jobOffers.checks,
      resources,
    }) as unknown as Definitions<unknown>;

    log(`preparing: reference data and offers of ${PREVIOUS.from}…${PREVIOUS.to} (unthrottled)`);
    const range: PartitionRequest = { kind: "range", from: PREVIOUS.from, to: PREVIOUS.to };
    await engineRun(definitions, storage, "raw/*", range, log);
    await engineRun(definitions, storage, "emploi/*", range, log);
    // The day itself, once, so that dbt's relations and parse state exist as on any later day.
    slow.offerIds(DAY);

    resources.franceTravail = clientOf(slow, RATE);
    resources.franceTravailConfig = slow.clientConfig();
    resources.simulator = slow;
    const results: DailyRun[] = [];
    for (let i = 0; i < runs; i++) {
      await resetDay(db.url, dataDir);
      const r = await dailyRun(definitions, storage, db.url, log);
      results.push(r);
      log(
        `run ${i + 1}/${runs}: total ${r.totalSeconds} s = collect+load ${r.collectAndLoadSeconds} s ` +
          `(collect ${r.collectSeconds} s, load after it ${r.loadTailSeconds} s), raw checks ` +
          `${r.rawChecksSeconds} s, dbt ${r.dbtSeconds} s, checks ${r.checksSeconds} s, other ` +
          `${r.otherSeconds} s; floor ${r.floorSeconds} s (${r.pages} pages), ratio ${r.ratio}`,
      );
    }
    const loadAverage = (await readFile("/proc/loadavg", "utf8").catch(() => "")).split(" ", 3);
    const medianBy = (pick: (r: DailyRun) => number): number => round(median(results.map(pick)), 3);
    const ratio = medianBy((r) => r.ratio);
    const result = {
      name: "daily_pipeline_weekday_50000_offers_10_calls_per_second",
      selection: SELECTION,
      partition: DAY,
      dbtWarm: process.env.LIGNEE_DBT_WARM !== "0",
      unit: "s",
      runs: results,
      median: {
        totalSeconds: medianBy((r) => r.totalSeconds),
        collectAndLoadSeconds: medianBy((r) => r.collectAndLoadSeconds),
        rawChecksSeconds: medianBy((r) => r.rawChecksSeconds),
        dbtSeconds: medianBy((r) => r.dbtSeconds),
        checksSeconds: medianBy((r) => r.checksSeconds),
        floorSeconds: medianBy((r) => r.floorSeconds),
      },
      minimumFloorSeconds: Math.ceil(OFFERS / PAGE_SIZE) / RATE,
      ratioToFloor: ratio,
      target: TARGET_RATIO,
      met: ratio <= TARGET_RATIO,
    };
    const file = await writeResults("daily", {
      machine: machineInfo(),
      database: db.description,
      date: new Date().toISOString(),
      durationSeconds: round((performance.now() - started) / 1000, 1),
      loadAverageAtEnd: loadAverage.map(Number),
      results: [result],
    });
    console.log(
      `\ndaily pipeline (${SELECTION} for ${DAY}, ${OFFERS} offers at ${RATE} calls/s, dbt ` +
        `${result.dbtWarm ? "warm" : "per-run process"}), medians of ${runs} runs:`,
    );
    console.log(
      `  ${result.met ? "ok  " : "MISS"} total ${result.median.totalSeconds} s, floor ` +
        `${result.median.floorSeconds} s, ratio ${ratio} (target ≤ ${TARGET_RATIO}); collect+load ` +
        `${result.median.collectAndLoadSeconds} s, raw checks ${result.median.rawChecksSeconds} s, ` +
        `dbt ${result.median.dbtSeconds} s, checks ${result.median.checksSeconds} s`,
    );
    console.log(`results written to ${file}`);
  } finally {
    await storage?.close();
    await warehouse.close();
    await fast.close();
    await slow.close();
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function clientOf(sim: RunningSimulator, rate: number): FranceTravailClient {
  return new FranceTravailClient({
    config: {
      ...readFranceTravailConfig({}),
      clientId: "bench",
      clientSecret: "bench",
      tokenUrl: sim.tokenUrl,
      apiUrl: sim.apiUrl,
      rateLimitPerSecond: rate,
    },
  });
}

/** The state before the day's first collection: no row, no file; the tables vacuumed. */
async function resetDay(url: string, dataDir: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.query("DELETE FROM raw.offres WHERE jour = $1", [DAY]);
    await client.query("DELETE FROM emploi.fait_offre_emploi WHERE jour = $1", [DAY]);
    await client.query("VACUUM (ANALYZE) raw.offres");
    await client.query("VACUUM (ANALYZE) emploi.fait_offre_emploi");
    await client.query("CHECKPOINT");
  });
  await rm(path.join(dataDir, "raw", "offres", `offres-${DAY}.ndjson`), { force: true });
}

/** One timed run of `SELECTION` for the day; its stages from the events as they happen. */
async function dailyRun(
  definitions: Definitions<unknown>,
  storage: PostgresStorage,
  url: string,
  log: Log,
): Promise<DailyRun> {
  const at = new Map<string, number>();
  const mark = (name: string, now: number): void => void at.set(name, now);
  let raw: Record<string, unknown> = {};
  const checkMs: Record<string, number> = {};
  const dbtNodes: string[] = [];
  const onEvent = (event: RunEvent): void => {
    const now = performance.now();
    const asset = event.assetKey;
    if (event.type === "CHECK_EVALUATION" && typeof event.data?.durationMs === "number")
      checkMs[`${asset}:${String(event.data.check)}`] = event.data.durationMs;
    if (event.type === "LOG" && / (OK|PASS|WARN|FAIL|ERROR) .* in \d/.test(event.message))
      dbtNodes.push(event.message.trim());
    if (event.type === "STEP_START" && asset === "raw/offres") mark("collectStart", now);
    if (event.type === "STEP_START" && asset === "emploi/fait_offre_emploi") mark("dbtStart", now);
    if (event.type === "MATERIALIZATION" && asset === "raw/offres") {
      mark("loaded", now);
      raw = (event.data?.metadata ?? {}) as Record<string, unknown>;
    }
    if (event.type === "MATERIALIZATION" && asset === "emploi/fait_offre_emploi")
      mark("built", now);
    if (event.type === "CHECK_EVALUATION" && asset === "raw/offres") mark("rawChecked", now);
    if (event.type === "CHECK_EVALUATION" && asset === "emploi/fait_offre_emploi")
      mark("checked", now);
  };
  const started = performance.now();
  await engineRun(definitions, storage, SELECTION, { kind: "single", key: DAY }, log, onEvent);
  const ended = performance.now();
  const get = (name: string): number => {
    const t = at.get(name);
    if (t === undefined) throw new Error(`the run did not reach "${name}"`);
    return t;
  };
  const collectMs = Number(raw.collect_ms ?? NaN);
  const pages = Number(raw.pages ?? raw.api_calls);
  const floorSeconds = pages / RATE;
  const totalSeconds = (ended - started) / 1000;
  const collectAndLoad = (get("loaded") - get("collectStart")) / 1000;
  const rawChecks = (get("rawChecked") - get("loaded")) / 1000;
  const dbt = (get("built") - get("dbtStart")) / 1000;
  const checks = (get("checked") - get("built")) / 1000;
  const faitRows = await withClient(url, async (client) => {
    const r = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM emploi.fait_offre_emploi WHERE jour = $1",
      [DAY],
    );
    return r.rows[0]!.n;
  });
  if (faitRows !== Number(raw.rows))
    throw new Error(`fait_offre_emploi has ${faitRows} rows for ${DAY}, raw.offres ${raw.rows}`);
  return {
    totalSeconds: round(totalSeconds),
    collectAndLoadSeconds: round(collectAndLoad),
    collectSeconds: round(collectMs / 1000),
    loadTailSeconds: round(collectAndLoad - collectMs / 1000),
    rawChecksSeconds: round(rawChecks),
    dbtSeconds: round(dbt),
    checksSeconds: round(checks),
    otherSeconds: round(totalSeconds - collectAndLoad - rawChecks - dbt - checks),
    pages,
    apiCalls: Number(raw.api_calls),
    offers: Number(raw.rows),
    floorSeconds: round(floorSeconds),
    ratio: round(totalSeconds / floorSeconds, 3),
    faitRows,
    checkMs,
    dbtNodes,
  };
}

async function engineRun(
  definitions: Definitions<unknown>,
  storage: PostgresStorage,
  selection: string,
  partitions: PartitionRequest,
  log: Log,
  onEvent?: (event: RunEvent) => void,
): Promise<void> {
  const errors: string[] = [];
  const prepared = prepareRun(definitions, { selection, partitions }, new Date());
  const result = await executeRun({
    definitions,
    storage,
    prepared,
    onEvent: (event) => {
      if (event.level === "error") errors.push(event.message);
      onEvent?.(event);
    },
  });
  if (result.outcome !== "SUCCESS")
    throw new Error(
      `${selection}: run ${result.runId} ended ${result.outcome}: ${errors.join("\n")}`,
    );
  log(`  ${selection} ${JSON.stringify(partitions)}: ${result.outcome}`);
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
