import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import {
  connectionEnv,
  executeRun,
  migrateDatabase,
  PostgresStorage,
  prepareRun,
  type Definitions,
  type RunEvent,
} from "@lignee/engine";
import { BENCH_CACHE, OFFERS, offersDayFiles, REPO, SIRENE_ROWS, sireneCsv } from "./offers-file";
import { cpuSnapshot, cpuSpent, localPostmasterPid, type CpuSnapshot, type CpuSpent } from "./cpu";
import { machineInfo, openBenchDatabase, withClient, writeResults } from "./support";

/**
 * `pnpm bench initial`: the first build from local files, as a user runs it. On a fresh
 * database, with a data folder holding the 893,703 offers (one NDJSON file per day, as the
 * collector files them) and a 2.5-million-row StockEtablissement CSV, the engine materialises
 * the inputs and the warehouse (`SELECTION`: raw/naf, raw/rome, raw/cog, raw/sirene, raw/offres
 * for every day with the run tag source=file, then the dbt models with their tests, and the
 * quality checks), with `--concurrency` (default 2, the machine's cores). The lake's Spark
 * assets (silver/offres, gold/…) are timed by `pnpm bench lake` and `pnpm bench spark`.
 *
 * Then, in the same run, the floors: each input's rows COPYed as text by the server from a
 * file (what PostgreSQL needs at least to take the data in: raw.offres' day, id and JSON as
 * text with its key, every other raw table as it is), and each model's compiled SQL run
 * directly (`CREATE TABLE … AS`, with the model's indexes). Targets: total ≤ 25 s and
 * total ≤ 1.3 × the sum of the floors. `bench/run.ts initial [concurrency]`.
 *
 * With the build, the CPU it cost (bench/cpu.ts): PostgreSQL's (when the server is local),
 * Node's and dbt's, and how many cores that kept busy on average. The floors run one at a
 * time on one core each; the build's sum may exceed its wall time on several.
 */
const TOTAL_TARGET_SECONDS = 25;
/** The first build: every input and every dbt model (the warehouse), not the lake. */
const SELECTION = "raw/*,emploi/*";
const RATIO_TARGET = 1.3;
const RAW_TABLES = [
  "naf_sections",
  "naf_divisions",
  "naf_groupes",
  "naf_classes",
  "naf_sous_classes",
  "rome_grands_domaines",
  "rome_domaines_professionnels",
  "rome_metiers",
  "cog_regions",
  "cog_departements",
  "cog_communes",
  "sirene_etablissements",
] as const;

type Log = (message: string) => void;

export async function run(args: readonly string[] = []): Promise<void> {
  const log: Log = (m) => console.error(m);
  const concurrency = Number(args[0] ?? 2);
  const days = await offersDayFiles(log);
  const sireneFile = await sireneCsv(log);
  const work = await mkdtemp(path.join(tmpdir(), "lignee-bench-initial-"));
  // The server reads and writes the floors' COPY files itself.
  await chmod(work, 0o777);
  const dataDir = path.join(work, "data");
  await mkdir(path.join(dataDir, "raw", "offres"), { recursive: true });
  await mkdir(path.join(dataDir, "raw", "sirene"), { recursive: true });
  for (const d of days)
    await symlink(d.file, path.join(dataDir, "raw", "offres", `offres-${d.day}.ndjson`));
  await symlink(sireneFile, path.join(dataDir, "raw", "sirene", path.basename(sireneFile)));
  process.env.LIGNEE_DATA_DIR = dataDir;

  const db = await openBenchDatabase(log);
  let storage: PostgresStorage | undefined;
  try {
    log(`database: ${db.description}; load average ${await loadAverage()}`);
    await migrateDatabase(db.url);
    storage = PostgresStorage.connect(db.url);
    process.env.WAREHOUSE_URL = db.url;
    const definitions = (await import("../packages/assets/src/definitions")).default;
    const from = days[0]!.day;
    const to = days.at(-1)!.day;
    log(`first build: ${SELECTION} over ${from}…${to}, concurrency ${concurrency}`);
    const postmaster = await localPostmasterPid(db.url);
    const cpuBefore = await cpuSnapshot(postmaster);
    const build = await firstBuild(definitions as Definitions<unknown>, storage, db.url, {
      from,
      to,
      concurrency,
      // The CPU spent up to the dbt step's start: the raw loads and their checks.
      onModelsStart: () => cpuSnapshot(postmaster),
    });
    const cpuAfter = await cpuSnapshot(postmaster);
    const cpu = cpuSpent(cpuBefore, cpuAfter, build.wallMs);
    const cpuPhases = build.modelsStart && {
      raw: cpuSpent(cpuBefore, build.modelsStart.cpu, build.modelsStart.atMs),
      models: cpuSpent(build.modelsStart.cpu, cpuAfter, build.wallMs - build.modelsStart.atMs),
    };
    log(`  ${seconds(build.wallMs)}; ${describeCpu(cpu)}`);
    if (cpuPhases) {
      log(
        `    until the models start (${seconds(build.modelsStart!.atMs)}): ${describeCpu(cpuPhases.raw)}`,
      );
      log(`    models, tests and checks: ${describeCpu(cpuPhases.models)}`);
    }
    for (const s of build.stages)
      log(
        `    ${s.stage.padEnd(20)} ${s.wallSeconds} s wall, ${s.stepSeconds} s in ${s.steps} steps`,
      );
    for (const m of build.models) log(`      ${m.model.padEnd(18)} ${m.executionSeconds} s`);
    log(`      ${build.tests.count} dbt tests, ${build.tests.seconds} s in all`);
    const counts = await rowCounts(db.url);
    if (counts["raw.offres"] !== OFFERS)
      throw new Error(`raw.offres has ${counts["raw.offres"]} rows, expected ${OFFERS}`);
    if (counts["emploi.fait_offre_emploi"] !== OFFERS)
      throw new Error(`fait_offre_emploi has ${counts["emploi.fait_offre_emploi"]} rows`);
    const checksum = await factChecksum(db.url);
    log(`  fait_offre_emploi: ${counts["emploi.fait_offre_emploi"]} rows, md5 ${checksum}`);

    log("floors: server-side COPY of each input as text, each model's SQL directly…");
    const compiled = await compileModels(db.url, work, { from, to });
    const floors = await measureFloors(db.url, work, compiled, log);
    const floorMs = floors.reduce((a, f) => a + f.ms, 0);
    const ratio = build.wallMs / floorMs;
    const result = {
      name: "initial_build",
      selection: SELECTION,
      partitions: `${from}…${to}`,
      concurrency,
      offers: OFFERS,
      offerDays: days.length,
      sireneRowsRead: SIRENE_ROWS,
      totalSeconds: round(build.wallMs / 1000),
      totalTargetSeconds: TOTAL_TARGET_SECONDS,
      totalMet: build.wallMs / 1000 <= TOTAL_TARGET_SECONDS,
      floorSeconds: round(floorMs / 1000),
      ratio: round(ratio),
      ratioTarget: RATIO_TARGET,
      ratioMet: ratio <= RATIO_TARGET,
      cpu,
      cpuPhases,
      stages: build.stages,
      models: build.models,
      dbtTests: build.tests,
      floors: floors.map((f) => ({ ...f, ms: round(f.ms) })),
      rowCounts: counts,
      faitOffreEmploiChecksum: checksum,
      loadAverageAtEnd: await loadAverage(),
    };
    const file = await writeResults("initial", {
      machine: machineInfo(),
      database: db.description,
      date: new Date().toISOString(),
      results: [result],
    });
    printSummary(result, file);
  } finally {
    await storage?.close();
    await db.close();
    await rm(work, { recursive: true, force: true });
  }
  // The run's resources (the warehouse's pool, the API simulator the definitions start
  // without credentials) belong to the definitions module and are not closed by executeRun.
  process.exit(0);
}

// ------------------------------------------------------------------ the build

interface Stage {
  readonly stage: string;
  /** From the first step's start to the last step's end. */
  readonly wallSeconds: number;
  /** Sum of the steps' durations (more than the wall when steps ran side by side). */
  readonly stepSeconds: number;
  readonly steps: number;
}

async function firstBuild(
  definitions: Definitions<unknown>,
  storage: PostgresStorage,
  url: string,
  options: {
    from: string;
    to: string;
    concurrency: number;
    onModelsStart: () => Promise<CpuSnapshot | undefined>;
  },
): Promise<{
  wallMs: number;
  /** When the dbt step started (ms after the run's start) and the CPU spent by then. */
  modelsStart: { atMs: number; cpu: CpuSnapshot | undefined } | undefined;
  stages: Stage[];
  models: { model: string; executionSeconds: number }[];
  tests: { count: number; seconds: number; slowest: { test: string; seconds: number }[] };
}> {
  const starts = new Map<string, number>();
  const steps: { asset: string; start: number; end: number }[] = [];
  const models: { model: string; executionSeconds: number }[] = [];
  const errors: string[] = [];
  const tests: { test: string; seconds: number }[] = [];
  const started = performance.now();
  let modelsStart: Promise<{ atMs: number; cpu: CpuSnapshot | undefined }> | undefined;
  const onEvent = (event: RunEvent): void => {
    const now = performance.now();
    const key = event.stepKey ?? "";
    if (event.type === "STEP_START") {
      starts.set(key, now);
      if (key.startsWith("dbt:") && modelsStart === undefined)
        modelsStart = options.onModelsStart().then((cpu) => ({ atMs: now - started, cpu }));
    } else if (event.type === "STEP_SUCCESS") {
      const asset = key.replace(/\[.*$/, "");
      steps.push({
        asset: asset.startsWith("emploi/") ? "dbt build" : asset,
        start: starts.get(key) ?? now,
        end: now,
      });
    } else if (event.type === "MATERIALIZATION" && event.assetKey?.startsWith("emploi/")) {
      const metadata = (event.data?.metadata ?? {}) as Record<string, unknown>;
      models.push({
        model: event.assetKey.replace(/^emploi\//, ""),
        executionSeconds: Number(metadata.execution_time_s ?? metadata.build_execution_time_s ?? 0),
      });
    } else if (event.type === "LOG" && TEST_LINE.test(stripAnsi(event.message))) {
      const [, name = "", secs = "0"] = TEST_LINE.exec(stripAnsi(event.message)) ?? [];
      tests.push({ test: name, seconds: Number(secs) });
    } else if (event.level === "error") errors.push(event.message);
  };
  const prepared = prepareRun(
    definitions,
    { selection: SELECTION, partitions: { kind: "range", from: options.from, to: options.to } },
    new Date(),
  );
  const result = await executeRun({
    definitions,
    storage,
    prepared,
    tags: { source: "file" },
    concurrency: options.concurrency,
    environment: { databaseUrl: url, home: path.join(REPO, ".lignee") },
    onEvent,
  });
  const wallMs = performance.now() - started;
  if (result.outcome !== "SUCCESS")
    throw new Error(`run ${result.runId} ended ${result.outcome}: ${errors.slice(-5).join("\n")}`);
  const byStage = new Map<string, typeof steps>();
  for (const s of steps) byStage.set(s.asset, [...(byStage.get(s.asset) ?? []), s]);
  const stages = [...byStage].map(([stage, list]) => ({
    stage,
    wallSeconds: round(
      (Math.max(...list.map((s) => s.end)) - Math.min(...list.map((s) => s.start))) / 1000,
    ),
    stepSeconds: round(list.reduce((a, s) => a + s.end - s.start, 0) / 1000),
    steps: list.length,
  }));
  models.sort((a, b) => b.executionSeconds - a.executionSeconds);
  tests.sort((a, b) => b.seconds - a.seconds);
  return {
    wallMs,
    modelsStart: await modelsStart,
    stages,
    models,
    tests: {
      count: tests.length,
      seconds: round(tests.reduce((a, t) => a + t.seconds, 0)),
      slowest: tests.slice(0, 8),
    },
  };
}

// ------------------------------------------------------------------ floors

/**
 * `dbt compile` of the models with the build's vars, into `<work>/target` (the engine's own
 * target folder is gone with its run): the SQL each model ran. Returns the target folder.
 */
async function compileModels(
  url: string,
  work: string,
  days: { from: string; to: string },
): Promise<string> {
  const project = path.join(REPO, "dbt");
  const target = path.join(work, "target");
  await promisify(execFile)(
    path.join(REPO, ".lignee", "venv", "bin", "dbt"),
    [
      "compile",
      "--quiet",
      "--vars",
      JSON.stringify({ jour_debut: days.from, jour_fin: days.to }),
      "--target-path",
      target,
      "--project-dir",
      project,
      "--profiles-dir",
      project,
    ],
    { env: { ...process.env, ...connectionEnv(url), DO_NOT_TRACK: "1" } },
  );
  return target;
}

interface Floor {
  readonly floor: string;
  readonly ms: number;
}

/**
 * Each raw table's rows written to a file by the server (`COPY … TO`), then timed while the
 * server COPYs them into an empty table of the same shape (raw.offres: its day, id and JSON as
 * text, keyed on (jour, id)); each model's compiled SQL timed as `CREATE TABLE … AS` in a
 * scratch schema (fait_offre_emploi with its two indexes).
 */
async function measureFloors(
  url: string,
  work: string,
  targetPath: string,
  log: Log,
): Promise<Floor[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // The least PostgreSQL needs, one statement at a time on an idle machine: with its default of
  // two parallel workers per query, whatever the server's setting for the build (the embedded
  // server gives none on four cores or fewer).
  await client.query("SET max_parallel_workers_per_gather = 2");
  const floors: Floor[] = [];
  const timed = async (floor: string, sql: readonly string[]): Promise<void> => {
    await client.query("CHECKPOINT");
    const t = performance.now();
    for (const q of sql) await client.query(q);
    floors.push({ floor, ms: performance.now() - t });
    log(`  ${floor.padEnd(32)} ${seconds(floors.at(-1)!.ms)}`);
  };
  try {
    await client.query("DROP SCHEMA IF EXISTS floor CASCADE; CREATE SCHEMA floor");
    const offresFile = path.join(work, "offres.copy");
    await client.query(`COPY (SELECT jour, id, data FROM raw.offres) TO ${literal(offresFile)}`);
    await client.query(
      "CREATE TABLE floor.offres (jour date NOT NULL, id text NOT NULL, data text NOT NULL, PRIMARY KEY (jour, id))",
    );
    await timed("COPY offres (text)", [
      `COPY floor.offres (jour, id, data) FROM ${literal(offresFile)}`,
    ]);
    await rm(offresFile);
    for (const table of RAW_TABLES) {
      const file = path.join(work, `${table}.copy`);
      await client.query(`COPY raw.${table} TO ${literal(file)}`);
      await client.query(`CREATE TABLE floor.${table} (LIKE raw.${table} INCLUDING ALL)`);
      await timed(`COPY ${table}`, [`COPY floor.${table} FROM ${literal(file)}`]);
      await rm(file);
    }
    for (const model of MODELS) {
      const sql = await readFile(
        path.join(targetPath, "compiled", "emploi", "models", model.folder, `${model.name}.sql`),
        "utf8",
      );
      await timed(`model ${model.name}`, [
        `CREATE TABLE floor.${model.name} AS ${sql}`,
        ...model.indexes.map(
          (index) =>
            `CREATE ${index.unique ? "UNIQUE " : ""}INDEX ON floor.${model.name} (${index.columns})`,
        ),
      ]);
    }
    await client.query("DROP SCHEMA floor CASCADE");
  } finally {
    await client.end();
  }
  return floors;
}

/** The models, in the order dbt builds them, with the indexes their config declares. */
const MODELS: readonly {
  name: string;
  folder: string;
  indexes: readonly { columns: string; unique?: boolean }[];
}[] = [
  { name: "dim_naf", folder: "referentiels", indexes: [] },
  { name: "dim_rome", folder: "referentiels", indexes: [] },
  { name: "region", folder: "referentiels", indexes: [] },
  { name: "departement", folder: "referentiels", indexes: [] },
  { name: "dim_lieu", folder: "referentiels", indexes: [] },
  { name: "dim_lieu_activite", folder: "referentiels", indexes: [] },
  {
    name: "fait_offre_emploi",
    folder: "offres",
    indexes: [{ columns: "id", unique: true }, { columns: "jour" }],
  },
];

// ------------------------------------------------------------------ helpers

async function rowCounts(url: string): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const out: Record<string, number> = {};
    const tables = [
      "raw.offres",
      "raw.sirene_etablissements",
      ...MODELS.map((m) => `emploi.${m.name}`),
    ];
    for (const t of tables) {
      const r = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`);
      out[t] = r.rows[0]!.n;
    }
    return out;
  });
}

/**
 * The fact table's columns in the order the checksum has always read them (the table's own
 * order changed since), so that checksums of different versions compare.
 */
const FACT_COLUMNS = [
  "id",
  "jour",
  "date_creation",
  "date_actualisation",
  "intitule",
  "rome_code",
  "rome_libelle",
  "appellation_libelle",
  "code_naf",
  "secteur_activite_libelle",
  "lieu_travail",
  "code_commune",
  "code_postal",
  "code_departement",
  "latitude",
  "longitude",
  "type_contrat",
  "type_contrat_libelle",
  "nature_contrat",
  "alternance",
  "experience_exige",
  "experience_libelle",
  "qualification_code",
  "qualification_libelle",
  "duree_travail",
  "nombre_postes",
  "entreprise_nom",
  "tranche_effectif_etablissement",
  "salaire_libelle",
] as const;

/** md5 of every row of fait_offre_emploi in id order: equal before and after a change. */
async function factChecksum(url: string): Promise<string> {
  return withClient(url, async (client) => {
    const r = await client.query<{ md5: string }>(
      `SELECT md5(string_agg(ROW(${FACT_COLUMNS.join(", ")})::text, E'\\n' ORDER BY f.id)) AS md5
       FROM emploi.fait_offre_emploi f`,
    );
    return r.rows[0]!.md5;
  });
}

/** A dbt test's result line: "3 of 60 PASS unique_… ....... [PASS in 1.34s]". */
const TEST_LINE = /^\d+ of \d+ (?:PASS|WARN|FAIL|ERROR) (\S+) .* in ([\d.]+)s\]$/;

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

function literal(file: string): string {
  return `'${file.replace(/'/g, "''")}'`;
}

async function loadAverage(): Promise<number[]> {
  return (await readFile("/proc/loadavg", "utf8").catch(() => "")).split(" ", 3).map(Number);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "CPU 84.1 s (1.91 cores busy): PostgreSQL 50.5 s, Node 22.8 s, dbt and other children 10.8 s". */
function describeCpu(cpu: CpuSpent | undefined): string {
  if (!cpu) return "CPU not measured (no /proc)";
  const parts = [
    cpu.postgresSeconds === null ? "PostgreSQL not local" : `PostgreSQL ${cpu.postgresSeconds} s`,
    `Node ${cpu.nodeSeconds} s`,
    `dbt and other children ${cpu.otherSeconds} s`,
  ];
  return `CPU ${cpu.totalSeconds} s (${cpu.coresBusy} cores busy): ${parts.join(", ")}`;
}

function printSummary(
  r: {
    totalSeconds: number;
    cpu: CpuSpent | undefined;
    floorSeconds: number;
    ratio: number;
    totalMet: boolean;
    ratioMet: boolean;
    stages: Stage[];
    models: { model: string; executionSeconds: number }[];
  },
  file: string,
): void {
  console.log(
    `first build: ${r.totalSeconds} s (target ≤ ${TOTAL_TARGET_SECONDS} s) ${r.totalMet ? "ok" : "MISSED"}; ` +
      `floors ${r.floorSeconds} s, ratio ${r.ratio} (target ≤ ${RATIO_TARGET}) ${r.ratioMet ? "ok" : "MISSED"}`,
  );
  console.log(`  ${describeCpu(r.cpu)}`);
  for (const s of r.stages)
    console.log(
      `  ${s.stage.padEnd(20)} ${s.wallSeconds.toFixed(2).padStart(7)} s wall, ${s.stepSeconds.toFixed(2)} s in ${s.steps} steps`,
    );
  for (const m of r.models)
    console.log(`    ${m.model.padEnd(18)} ${m.executionSeconds.toFixed(2).padStart(7)} s`);
  console.log(`→ ${file}`);
}
