import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import pg from "pg";
import { loadOffresDay } from "../packages/assets/src/offres/loader";
import { loadCog } from "../packages/assets/src/reference/cog";
import { loadNaf } from "../packages/assets/src/reference/naf";
import { loadRome, readShippedRome } from "../packages/assets/src/reference/rome";
import { loadSireneEtablissements } from "../packages/assets/src/sirene/loader";
import { Warehouse } from "../packages/assets/src/warehouse/warehouse";
import {
  connectionEnv,
  defineAsset,
  Definitions,
  executeRun,
  loadDbtAssets,
  migrateDatabase,
  PostgresStorage,
  prepareRun,
  type AssetDefinition,
  type PartitionRequest,
  type RunEvent,
  type Storage,
} from "@lignee/engine";
import { BENCH_CACHE, OFFERS, offersDayFiles, REPO, SIRENE_ROWS, sireneCsv } from "./offers-file";
import { machineInfo, median, openBenchDatabase, stats, withClient, writeResults } from "./support";

/**
 * `pnpm bench dbt`: the dbt models built by the engine on the original pipeline's volumes.
 *
 * 1. Full warehouse build: on a fresh database loaded (untimed) with the reference data,
 *    2.5 million synthetic SIRENE establishments and 893,703 offers spread over their real
 *    creation days, the engine runs `emploi/*` over every day — one `dbt build` of the 7 models
 *    and their tests. Wall time, each model's dbt execution time, row counts; the original
 *    pipeline's dbt run took 9.5 s.
 * 2. Engine overhead: on the built warehouse, the same `dbt build` (7 models, one day of
 *    fait_offre_emploi) run by the engine and run plainly (same executable, arguments and
 *    environment, spawned from this process), alternating. Target: median engine / median
 *    plain ≤ 1.05.
 */
const ORIGINAL_DBT_SECONDS = 9.5;
const OVERHEAD_ROUNDS = 6;
const OVERHEAD_TARGET = 1.05;
const PROJECT_DIR = path.join(REPO, "dbt");
const MODELS = 7;

type Log = (message: string) => void;

export async function run(): Promise<void> {
  const log: Log = (m) => console.error(m);
  const started = performance.now();
  const executable = await dbtExecutable(log);
  const dbtVersion = await dbtVersionOf(executable);
  const days = await offersDayFiles(log);
  const sireneFile = await sireneCsv(log);

  const db = await openBenchDatabase(log);
  let storage: PostgresStorage | undefined;
  try {
    log(`database: ${db.description}`);
    const loaded = await loadRawData(db.url, days, sireneFile, log);

    await migrateDatabase(db.url);
    storage = PostgresStorage.connect(db.url);
    const parseStarted = performance.now();
    const models = await loadDbtAssets<unknown>({
      projectDir: PROJECT_DIR,
      executable,
      target: "dev",
      connectionUrl: () => db.url,
    });
    const definitionsMs = performance.now() - parseStarted;
    if (models.length !== MODELS)
      throw new Error(`expected ${MODELS} dbt models, found ${models.length}`);
    const definitions = Definitions.create({ assets: [...rawAssets(models), ...models] });

    const full = await fullBuild(definitions, storage, db.url, days, log);
    await vacuumAnalyze(db.url, log);
    const overhead = await overheadRatio(definitions, storage, db.url, executable, days, log);

    const durationSeconds = round((performance.now() - started) / 1000, 1);
    // Other work on the machine shows here: this benchmark alone keeps about 2–4 runnable.
    const loadAverage = (await readFile("/proc/loadavg", "utf8").catch(() => "")).split(" ", 3);
    const file = await writeResults("dbt", {
      machine: machineInfo(),
      database: db.description,
      dbt: dbtVersion,
      date: new Date().toISOString(),
      durationSeconds,
      loadAverageAtEnd: loadAverage.map(Number),
      inputs: { ...loaded, definitionsMs: round(definitionsMs) },
      results: [full.result, overhead.result],
    });
    printSummary(full.result, overhead.result, durationSeconds, file);
  } finally {
    await storage?.close();
    await db.close();
  }
}

// ------------------------------------------------------------------ inputs

/** `.lignee/venv/bin/dbt`, installed by scripts/dbt-setup.sh when missing (idempotent). */
async function dbtExecutable(log: Log): Promise<string> {
  const expected = path.join(REPO, ".lignee", "venv", "bin", "dbt");
  if (!existsSync(expected)) log("installing dbt (scripts/dbt-setup.sh)…");
  const { stdout } = await promisify(execFile)("bash", [path.join(REPO, "scripts/dbt-setup.sh")], {
    cwd: REPO,
  });
  const executable = stdout.trim().split("\n").at(-1) ?? "";
  if (path.resolve(executable) !== expected)
    throw new Error(`scripts/dbt-setup.sh printed ${executable}, expected ${expected}`);
  return expected;
}

async function dbtVersionOf(executable: string): Promise<Record<string, string>> {
  const python = path.join(path.dirname(executable), "python");
  const { stdout } = await promisify(execFile)(python, [
    "-c",
    'from importlib.metadata import version; print(version("dbt-core"), version("dbt-postgres"))',
  ]);
  const [core = "?", postgres = "?"] = stdout.trim().split(" ");
  return { core, postgres };
}

/**
 * Loads the raw schema with the real loaders: NAF, ROME, COG, SIRENE, then each day of offers
 * with `loadOffresDay` (as raw/offres does, one transaction per day). Then VACUUM ANALYZE, as
 * autovacuum would have done on a warehouse loaded day after day.
 */
async function loadRawData(
  url: string,
  days: readonly { day: string; file: string; rows: number }[],
  sireneFile: string,
  log: Log,
): Promise<Record<string, unknown>> {
  const warehouse = new Warehouse(url);
  try {
    const t = performance.now();
    await loadNaf(warehouse);
    await loadRome(warehouse, readShippedRome());
    await loadCog(warehouse);
    const referenceMs = performance.now() - t;
    log(`reference data (NAF, ROME, COG) loaded in ${seconds(referenceMs)}`);

    log(`loading ${SIRENE_ROWS.toLocaleString("en")} SIRENE establishments…`);
    const sirene = await loadSireneEtablissements(warehouse, sireneFile);
    log(`  ${sirene.rows} active establishments in ${seconds(sirene.durationMs)}`);

    log(`loading ${OFFERS.toLocaleString("en")} offers, ${days.length} days…`);
    const offersStarted = performance.now();
    let offers = 0;
    for (const d of days) {
      const stats = await loadOffresDay(warehouse, d.file, d.day);
      if (stats.rows !== d.rows)
        throw new Error(`${d.day}: loaded ${stats.rows} offers, expected ${d.rows}`);
      offers += stats.rows;
    }
    const offersMs = performance.now() - offersStarted;
    if (offers !== OFFERS) throw new Error(`loaded ${offers} offers, expected ${OFFERS}`);
    log(`  ${offers} offers in ${seconds(offersMs)}`);

    const vacuumMs = await vacuumAnalyze(url, log);
    return {
      offers,
      offerDays: days.length,
      firstDay: days[0]!.day,
      lastDay: days.at(-1)!.day,
      sireneRowsRead: sirene.rowsRead,
      sireneRowsLoaded: sirene.rows,
      referenceLoadMs: round(referenceMs),
      sireneLoadMs: sirene.durationMs,
      offersLoadMs: round(offersMs),
      vacuumAnalyzeMs: round(vacuumMs),
    };
  } finally {
    await warehouse.close();
  }
}

async function vacuumAnalyze(url: string, log: Log): Promise<number> {
  const t = performance.now();
  await settle(url);
  const ms = performance.now() - t;
  log(`VACUUM (ANALYZE) + CHECKPOINT in ${seconds(ms)}`);
  return ms;
}

async function settle(url: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.query("VACUUM (ANALYZE)");
    await client.query("CHECKPOINT");
  });
}

/**
 * The platform assets the dbt sources point at (raw/offres, raw/naf, …): loaded above by the
 * benchmark, never selected here. raw/offres is partitioned like the incremental model.
 */
function rawAssets(models: readonly AssetDefinition<unknown>[]): AssetDefinition<unknown>[] {
  const modelKeys = new Set(models.map((m) => m.key));
  const partitionsOf = new Map<string, AssetDefinition<unknown>["partitions"]>();
  for (const m of models) {
    for (const d of m.deps) {
      if (modelKeys.has(d.asset)) continue;
      if (m.partitions && !partitionsOf.get(d.asset)) partitionsOf.set(d.asset, m.partitions);
      else if (!partitionsOf.has(d.asset)) partitionsOf.set(d.asset, undefined);
    }
  }
  return [...partitionsOf].map(([key, partitions]) =>
    defineAsset<unknown>({
      key,
      ...(partitions ? { partitions } : {}),
      materialize: async () => {
        throw new Error(`${key} is loaded by the benchmark, not materialised`);
      },
    }),
  );
}

// ------------------------------------------------------------------ 1. full build

interface ModelFigure {
  readonly model: string;
  readonly materialized: string;
  readonly executionSeconds: number;
  readonly shareOfWall: number;
  readonly rows: number;
}

async function fullBuild(
  definitions: Definitions<unknown>,
  storage: Storage,
  url: string,
  days: readonly { day: string }[],
  log: Log,
): Promise<{ result: Record<string, unknown> }> {
  const partitions: PartitionRequest = {
    kind: "range",
    from: days[0]!.day,
    to: days.at(-1)!.day,
  };
  log(`\n[1/2] full build: emploi/* over ${partitions.from}…${partitions.to}`);
  const run = await engineRun(definitions, storage, partitions);
  const wallSeconds = run.ms / 1000;
  const counts = await rowCounts(
    url,
    run.materializations.map((m) => m.assetKey.replace(/^emploi\//, "")),
  );
  const models: ModelFigure[] = run.materializations
    .map((m) => {
      const model = m.assetKey.replace(/^emploi\//, "");
      // A build of several partitions records its one duration as build_execution_time_s.
      const executionSeconds = Number(
        m.metadata.execution_time_s ?? m.metadata.build_execution_time_s ?? 0,
      );
      return {
        model,
        materialized: String(m.metadata.materialized ?? ""),
        executionSeconds,
        shareOfWall: round(executionSeconds / wallSeconds, 3),
        rows: counts.get(model) ?? 0,
      };
    })
    .sort((a, b) => b.executionSeconds - a.executionSeconds);
  const fait = counts.get("fait_offre_emploi");
  if (fait !== OFFERS) throw new Error(`fait_offre_emploi has ${fait} rows, expected ${OFFERS}`);
  if (!((counts.get("dim_lieu_activite") ?? 0) > 0)) throw new Error("dim_lieu_activite is empty");
  // dbt's tests are the models' checks.
  const checks = (await storage.latestCheckResults()).filter((c) => c.runId === run.runId);
  const failed = checks.filter((c) => !c.passed && c.severity === "error");
  if (failed.length > 0)
    throw new Error(`dbt tests failed: ${failed.map((c) => c.checkName).join(", ")}`);
  return {
    result: {
      name: "dbt_full_build",
      selection: "emploi/*",
      partitions: `${partitions.from}…${partitions.to}`,
      runId: run.runId,
      wallSeconds: round(wallSeconds),
      dbtProcessSeconds: round(run.phases.dbtMs / 1000),
      dbtElapsedSeconds: round(run.dbtElapsedMs / 1000),
      dbtParseSeconds: round(run.parse.ms / 1000),
      dbtParseReasons: run.parse.reasons,
      originalPipelineSeconds: ORIGINAL_DBT_SECONDS,
      vsOriginal: round(wallSeconds / ORIGINAL_DBT_SECONDS),
      models,
      modelsExecutionSeconds: round(models.reduce((a, m) => a + m.executionSeconds, 0)),
      tests: checks.length,
      testsWarned: checks.filter((c) => !c.passed).map((c) => `${c.assetKey}: ${c.checkName}`),
      testsExecutionSeconds: round(run.testSeconds),
      rowCounts: Object.fromEntries(counts),
      engineStorage: run.storageCalls,
    },
  };
}

async function rowCounts(url: string, models: readonly string[]): Promise<Map<string, number>> {
  return withClient(url, async (client) => {
    const out = new Map<string, number>();
    for (const m of [...models].sort()) {
      const r = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM emploi.${pg.escapeIdentifier(m)}`,
      );
      out.set(m, r.rows[0]!.n);
    }
    return out;
  });
}

// ------------------------------------------------------------------ 2. overhead

/** Where the plain runs keep their target folder: persistent, as for anyone running dbt by hand. */
const PLAIN_TARGET = path.join(PROJECT_DIR, "target", "bench-plain");

async function overheadRatio(
  definitions: Definitions<unknown>,
  storage: Storage,
  url: string,
  executable: string,
  days: readonly { day: string }[],
  log: Log,
): Promise<{ result: Record<string, unknown> }> {
  const day = days.at(-1)!.day;
  const partitions: PartitionRequest = { kind: "single", key: day };
  log(`\n[2/2] overhead: emploi/* for ${day}, engine vs plain dbt, ${OVERHEAD_ROUNDS} rounds`);
  // Warm-up, one of each: the engine's gives the exact arguments it passes; the plain one
  // creates the plain runs' parse state (dbt's partial parsing is keyed on vars and profile).
  const warm = await engineRun(definitions, storage, partitions);
  const args = withTargetPath(warm.dbtArgs, PLAIN_TARGET);
  log(`  warm-up engine ${seconds(warm.ms)}: dbt ${warm.dbtArgs.join(" ")}`);
  await rm(PLAIN_TARGET, { recursive: true, force: true });
  const env = connectionEnv(url);
  const warmPlain = await plainDbt(executable, args, env);
  log(`  warm-up plain  ${seconds(warmPlain.ms)}: dbt ${args.join(" ")}`);

  const engine: EngineRun[] = [];
  const plain: PlainRun[] = [];
  for (let round = 0; round < OVERHEAD_ROUNDS; round++) {
    // Alternate which goes first, so that a drift (autovacuum, caches) hits both alike.
    const order = round % 2 === 0 ? ["engine", "plain"] : ["plain", "engine"];
    for (const which of order) {
      // Each timed run starts from the same settled state: otherwise autovacuum (every run
      // replaces 50,000 rows of fait_offre_emploi and recreates dim_lieu_activite) and
      // checkpoints land in random runs, with ±1 s on a 2-core machine.
      await settle(url);
      if (which === "engine") {
        const r = await engineRun(definitions, storage, partitions);
        if (withTargetPath(r.dbtArgs, PLAIN_TARGET).join(" ") !== args.join(" "))
          throw new Error(`the engine changed its dbt arguments: ${r.dbtArgs.join(" ")}`);
        engine.push(r);
        log(`  round ${round + 1}: engine ${seconds(r.ms)} (dbt parse ${seconds(r.parse.ms)})`);
      } else {
        const r = await plainDbt(executable, args, env);
        plain.push(r);
        log(`  round ${round + 1}: plain  ${seconds(r.ms)} (dbt parse ${seconds(r.parse.ms)})`);
      }
    }
  }
  await rm(PLAIN_TARGET, { recursive: true, force: true });
  const fait = (await rowCounts(url, ["fait_offre_emploi"])).get("fait_offre_emploi");
  if (fait !== OFFERS)
    throw new Error(`fait_offre_emploi has ${fait} rows after the incremental runs`);

  const ratio = median(engine.map((r) => r.ms)) / median(plain.map((r) => r.ms));
  const med = (xs: number[]): number => round(median(xs));
  const reasons = (runs: readonly { parse: { reasons: string[] } }[]): string[] => [
    ...new Set(runs.flatMap((r) => r.parse.reasons)),
  ];
  return {
    result: {
      name: "dbt_engine_overhead_ratio",
      unit: "ms",
      selection: "emploi/*",
      partition: day,
      engineDbtArgs: warm.dbtArgs,
      plainDbtArgs: args,
      rounds: OVERHEAD_ROUNDS,
      engineMs: engine.map((r) => round(r.ms)),
      plainMs: plain.map((r) => round(r.ms)),
      engine: stats(engine.map((r) => r.ms)),
      plain: stats(plain.map((r) => r.ms)),
      warmUpMs: { engine: round(warm.ms), plain: round(warmPlain.ms) },
      engineMedianMs: med(engine.map((r) => r.ms)),
      plainMedianMs: med(plain.map((r) => r.ms)),
      ratio: round(ratio, 3),
      target: OVERHEAD_TARGET,
      met: ratio <= OVERHEAD_TARGET,
      // Where the time goes, medians over the timed runs (ms). Engine: before dbt starts
      // (prepare, run row, markRunning, input versions, parse state copy), dbt from spawn to
      // its last log line, then to the end of the run (dbt's exit, run_results.json, recording
      // each model and check, final event flush). Plain: spawn → last log line → exit. Parse:
      // dbt's own log, from its arguments report to "Found 7 models…".
      breakdownMs: {
        engineBeforeDbt: med(engine.map((r) => r.phases.beforeMs)),
        engineDbtToLastLine: med(engine.map((r) => r.phases.dbtMs)),
        engineLastLineToEnd: med(engine.map((r) => r.phases.afterMs)),
        plainSpawnToLastLine: med(plain.map((r) => r.toLastLineMs)),
        plainLastLineToExit: med(plain.map((r) => r.ms - r.toLastLineMs)),
        dbtElapsedEngine: med(engine.map((r) => r.dbtElapsedMs)),
        dbtElapsedPlain: med(plain.map((r) => r.dbtElapsedMs)),
        dbtParseEngine: med(engine.map((r) => r.parse.ms)),
        dbtParsePlain: med(plain.map((r) => r.parse.ms)),
        nodeCpuEngine: med(engine.map((r) => r.nodeCpuMs)),
        nodeCpuPlain: med(plain.map((r) => r.nodeCpuMs)),
      },
      dbtFullReparse: {
        engineRuns: engine.filter((r) => r.parse.reasons.length > 0).length,
        plainRuns: plain.filter((r) => r.parse.reasons.length > 0).length,
        engineReasons: reasons(engine),
        plainReasons: reasons(plain),
      },
      engineStoragePerRun: engine[0]!.storageCalls,
    },
  };
}

/** `args` with the value of `--target-path` replaced (or the option added). */
function withTargetPath(args: readonly string[], target: string): string[] {
  const i = args.indexOf("--target-path");
  return i < 0
    ? [...args, "--target-path", target]
    : [...args.slice(0, i + 1), target, ...args.slice(i + 2)];
}

// ------------------------------------------------------------------ runs

interface DbtParse {
  /** From dbt's report of its arguments to "Found N models…": loading the project. */
  readonly ms: number;
  /** Why dbt could not reuse its saved parse state; empty when it did. */
  readonly reasons: string[];
}

interface EngineRun {
  readonly runId: string;
  readonly ms: number;
  readonly dbtArgs: string[];
  readonly phases: { beforeMs: number; dbtMs: number; afterMs: number };
  readonly dbtElapsedMs: number;
  readonly parse: DbtParse;
  /** CPU time of this process during the run (user + system). */
  readonly nodeCpuMs: number;
  readonly testSeconds: number;
  readonly materializations: { assetKey: string; metadata: Record<string, unknown> }[];
  readonly storageCalls: Record<string, { calls: number; ms: number }>;
}

/** prepareRun + executeRun, timed; the phases come from the events as they are emitted. */
async function engineRun(
  definitions: Definitions<unknown>,
  storage: Storage,
  partitions: PartitionRequest,
): Promise<EngineRun> {
  const timing = timedStorage(storage);
  let dbtStart: number | undefined;
  let dbtEnd: number | undefined;
  let dbtArgs: string[] = [];
  let testSeconds = 0;
  const materializations: EngineRun["materializations"] = [];
  const errors: string[] = [];
  const onEvent = (event: RunEvent): void => {
    const now = performance.now();
    const message = stripAnsi(event.message);
    if (event.type === "LOG" && message.startsWith("dbt build ")) {
      dbtStart = now;
      dbtArgs = message.split(" ").slice(1);
    } else if (event.type === "LOG" && message.startsWith("Done. PASS=")) {
      // dbt's StatsLine, its last line on stdout.
      dbtEnd = now;
    } else if (event.type === "MATERIALIZATION" && event.assetKey) {
      const metadata = (event.data?.metadata ?? {}) as Record<string, unknown>;
      materializations.push({ assetKey: event.assetKey, metadata });
    } else if (event.level === "error") errors.push(message);
    // A test's result line: "3 of 60 PASS unique_… ....... [PASS in 1.34s]".
    const test = /^\d+ of \d+ (?:PASS|WARN|FAIL|ERROR)\b.* in ([\d.]+)s\]$/.exec(message);
    if (event.type === "LOG" && test) testSeconds += Number(test[1]);
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  const prepared = prepareRun(definitions, { selection: "emploi/*", partitions }, new Date());
  const result = await executeRun({ definitions, storage: timing.storage, prepared, onEvent });
  const ms = performance.now() - started;
  const nodeCpuMs = cpuMs(process.cpuUsage(cpu));
  if (result.outcome !== "SUCCESS")
    throw new Error(`run ${result.runId} ended ${result.outcome}: ${errors.slice(-5).join("\n")}`);
  if (materializations.length !== MODELS)
    throw new Error(`run ${result.runId} materialised ${materializations.length} models`);
  if (dbtStart === undefined || dbtEnd === undefined)
    throw new Error(
      `run ${result.runId}: dbt's ${dbtStart === undefined ? "command" : "last line"} was not logged`,
    );
  const i = dbtArgs.indexOf("--target-path");
  const targetPath = i >= 0 ? dbtArgs[i + 1] : undefined;
  const invocation = targetPath ? await invocationIdFor(targetPath) : undefined;
  const facts = invocation ? await logFactsOf(invocation) : UNKNOWN_FACTS;
  return {
    runId: result.runId,
    ms,
    dbtArgs,
    phases: {
      beforeMs: dbtStart - started,
      dbtMs: dbtEnd - dbtStart,
      afterMs: started + ms - dbtEnd,
    },
    dbtElapsedMs: facts.elapsedMs,
    parse: facts.parse,
    nodeCpuMs,
    testSeconds,
    materializations,
    storageCalls: timing.calls(),
  };
}

interface PlainRun {
  readonly ms: number;
  readonly toLastLineMs: number;
  readonly dbtElapsedMs: number;
  readonly parse: DbtParse;
  readonly nodeCpuMs: number;
}

/**
 * The engine's `dbt build` (runDbt's arguments and environment) spawned from this process;
 * wall clock from spawn to exit. Its JSON log is read line by line, only to time its last line
 * and note its invocation id.
 */
async function plainDbt(
  executable: string,
  args: readonly string[],
  connection: Record<string, string>,
): Promise<PlainRun> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const child = spawn(
    executable,
    [...args, "--log-format", "json", "--project-dir", PROJECT_DIR, "--profiles-dir", PROJECT_DIR],
    {
      env: {
        ...process.env,
        ...connection,
        DBT_SEND_ANONYMOUS_USAGE_STATS: "false",
        DO_NOT_TRACK: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let lastLine = started;
  let invocation: string | undefined;
  const stderr: string[] = [];
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (invocation === undefined || line.includes('"StatsLine"')) {
      const info = (JSON.parse(line) as { info?: LogInfo }).info;
      invocation ??= info?.invocation_id;
      if (info?.name === "StatsLine") lastLine = performance.now();
    }
  });
  child.stderr.on("data", (d: Buffer) => stderr.push(d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const ms = performance.now() - started;
  const nodeCpuMs = cpuMs(process.cpuUsage(cpu));
  if (code !== 0) throw new Error(`plain dbt exited with ${code}: ${stderr.join("").slice(-2000)}`);
  const results = JSON.parse(
    await readFile(path.join(PLAIN_TARGET, "run_results.json"), "utf8"),
  ) as { results: { unique_id: string; status: string }[] };
  const bad = results.results.filter((r) => !["success", "pass", "warn"].includes(r.status));
  if (bad.length > 0) throw new Error(`plain dbt: ${bad.map((r) => r.unique_id).join(", ")}`);
  const facts = invocation ? await logFactsOf(invocation) : UNKNOWN_FACTS;
  return {
    ms,
    toLastLineMs: lastLine - started,
    dbtElapsedMs: facts.elapsedMs,
    parse: facts.parse,
    nodeCpuMs,
  };
}

/** "Command `dbt build` succeeded at 10:22:11.456 after 7.32 seconds" → 7320. */
function elapsedOf(message: string): number {
  const m = /after ([\d.]+) seconds/.exec(message);
  return m ? Number(m[1]) * 1000 : NaN;
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

// ------------------------------------------------------------------ dbt's log file

interface LogInfo {
  readonly name: string;
  readonly msg: string;
  readonly ts: string;
  readonly invocation_id: string;
}

/** dbt's debug log (both kinds of run write it: same project, default log path), newest last. */
async function dbtLogLines(filter: string): Promise<LogInfo[]> {
  const dir = path.join(PROJECT_DIR, "logs");
  const out: LogInfo[] = [];
  // dbt rotates dbt.log at 10 MB: a run may straddle the rotation.
  for (const name of ["dbt.log.1", "dbt.log"]) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    for (const line of (await readFile(file, "utf8")).split("\n")) {
      if (!line.includes(filter)) continue;
      try {
        const info = (JSON.parse(line) as { info?: LogInfo }).info;
        if (info) out.push(info);
      } catch {
        // A line being written, or not JSON.
      }
    }
  }
  return out;
}

/** The invocation whose arguments name `targetPath` (unique per engine run). */
async function invocationIdFor(targetPath: string): Promise<string | undefined> {
  const lines = await dbtLogLines(targetPath);
  return lines.find((l) => l.name === "MainReportArgs")?.invocation_id;
}

interface DbtLogFacts {
  readonly parse: DbtParse;
  /** dbt's own figure for the command, from its CommandCompleted line. */
  readonly elapsedMs: number;
}

const UNKNOWN_FACTS: DbtLogFacts = { parse: { ms: NaN, reasons: ["unknown"] }, elapsedMs: NaN };

async function logFactsOf(invocationId: string): Promise<DbtLogFacts> {
  const lines = await dbtLogLines(invocationId);
  const find = (name: string): LogInfo | undefined => lines.find((l) => l.name === name);
  const at = (name: string): number => Date.parse(find(name)?.ts ?? "") || NaN;
  return {
    parse: {
      ms: round(at("FoundStats") - at("MainReportArgs")),
      reasons: lines
        .filter((l) => l.name === "UnableToPartialParse")
        .map((l) => l.msg.replace(/^Unable to do partial parsing because /, "")),
    },
    elapsedMs: elapsedOf(find("CommandCompleted")?.msg ?? ""),
  };
}

/** The storage, with the number of calls and the time spent in each of its methods. */
function timedStorage(storage: Storage): {
  storage: Storage;
  calls(): Record<string, { calls: number; ms: number }>;
} {
  const totals = new Map<string, { calls: number; ms: number }>();
  const proxy = new Proxy(storage, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]): unknown => {
        const t = performance.now();
        const out = (value as (...a: unknown[]) => unknown).apply(target, args);
        const add = (): void => {
          const entry = totals.get(property) ?? { calls: 0, ms: 0 };
          entry.calls++;
          entry.ms += performance.now() - t;
          totals.set(property, entry);
        };
        if (out instanceof Promise) return out.finally(add);
        add();
        return out;
      };
    },
  });
  return {
    storage: proxy,
    calls: () =>
      Object.fromEntries(
        [...totals]
          .sort((a, b) => b[1].ms - a[1].ms)
          .map(([k, v]) => [k, { calls: v.calls, ms: round(v.ms) }]),
      ),
  };
}

// ------------------------------------------------------------------ helpers

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function printSummary(
  full: Record<string, unknown>,
  overhead: Record<string, unknown>,
  durationSeconds: number,
  file: string,
): void {
  const models = full.models as ModelFigure[];
  const line = (label: string, secs: number, rest = ""): void =>
    console.log(`  ${label.padEnd(20)} ${secs.toFixed(2).padStart(7)} s${rest}`);
  console.log(
    `\ndbt full build of 7 models + ${String(full.tests)} tests on ${OFFERS.toLocaleString("en")} offers ` +
      `and ${SIRENE_ROWS.toLocaleString("en")} SIRENE rows, through the engine: ` +
      `${String(full.wallSeconds)} s (original pipeline's dbt run: ${ORIGINAL_DBT_SECONDS} s)`,
  );
  for (const m of models) {
    line(
      m.model,
      m.executionSeconds,
      `  ${(m.shareOfWall * 100).toFixed(1).padStart(5)} % of wall  ${m.rows.toLocaleString("en").padStart(9)} rows`,
    );
  }
  line("tests (sum)", Number(full.testsExecutionSeconds));
  line("dbt parse", Number(full.dbtParseSeconds));
  line("dbt process", Number(full.dbtProcessSeconds), " (spawn to its last log line)");
  const o = overhead as {
    ratio: number;
    met: boolean;
    engineMedianMs: number;
    plainMedianMs: number;
    breakdownMs: Record<string, number>;
    dbtFullReparse: { engineRuns: number; plainRuns: number; engineReasons: string[] };
  };
  const b = o.breakdownMs;
  console.log(
    `\nengine vs plain \`dbt build\` (7 models, one day of offers; ${OVERHEAD_ROUNDS} rounds): medians ` +
      `${seconds(o.engineMedianMs)} vs ${seconds(o.plainMedianMs)}, ratio ${o.ratio} ` +
      `(target ≤ ${OVERHEAD_TARGET}) ${o.met ? "ok" : "MISSED"}`,
  );
  console.log(
    `  engine: ${ms(b.engineBeforeDbt!)} before dbt, ${ms(b.engineDbtToLastLine!)} dbt, ` +
      `${ms(b.engineLastLineToEnd!)} after; plain: ${ms(b.plainSpawnToLastLine!)} dbt, ` +
      `${ms(b.plainLastLineToExit!)} exit; CPU of this process: engine ${ms(b.nodeCpuEngine!)}, ` +
      `plain ${ms(b.nodeCpuPlain!)}`,
  );
  console.log(
    `  dbt parse: engine ${ms(b.dbtParseEngine!)}, plain ${ms(b.dbtParsePlain!)}; full re-parse in ` +
      `${o.dbtFullReparse.engineRuns}/${OVERHEAD_ROUNDS} engine runs` +
      (o.dbtFullReparse.engineReasons.length > 0
        ? ` (${o.dbtFullReparse.engineReasons.join("; ")})`
        : "") +
      `, ${o.dbtFullReparse.plainRuns}/${OVERHEAD_ROUNDS} plain runs`,
  );
  console.log(`total ${durationSeconds} s → ${file}`);
}

function ms(x: number): string {
  return `${Math.round(x)} ms`;
}
