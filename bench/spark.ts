import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { runSparkJob, sparkSettings, jarsIn, SPARK_SETUP_COMMAND } from "@lignee/engine";
import { generateDay } from "../packages/assets/src/france-travail/simulator/generate-day";
import { OfferGenerator } from "../packages/assets/src/france-travail/simulator/offer-generator";
import { REPO } from "./offers-file";
import { machineInfo, stats, writeResults } from "./support";

/**
 * `pnpm bench spark`: silver/offres for one day of the benchmarks' 50,000 offers, run as the
 * asset runs it (spark/jobs/silver_offres.py through `runSparkJob`, `local[*]`, the pinned
 * jars), several times on the same day (each run replaces the day's partition). Each run's wall
 * time is split into the JVM's start (the job's `SparkSession` made: Python's and the JVM's
 * start-up), Spark's work (read the NDJSON, write the Parquet partition, count it back), and
 * the rest (Python's imports before, the session's stop after). Results in
 * bench/results/spark.json.
 */
const DAY = "2024-07-01";
const OFFERS = 50_000;
const ROUNDS = 3;

export async function run(): Promise<void> {
  const log = (m: string): void => console.error(m);
  const settings = sparkSettings(REPO);
  if (!existsSync(settings.python)) {
    throw new Error(`PySpark is not installed: run \`${SPARK_SETUP_COMMAND}\``);
  }
  const dir = await mkdtemp(path.join(tmpdir(), "lignee-bench-spark-"));
  try {
    const file = path.join(dir, "raw", "offres", `offres-${DAY}.ndjson`);
    await mkdir(path.dirname(file), { recursive: true });
    const offers = generateDay(new OfferGenerator(1), { seed: 1, offersPerDay: () => OFFERS }, DAY);
    await writeFile(file, offers.map((o) => `${JSON.stringify(o.offer)}\n`).join(""));
    const bytes = (await stat(file)).size;
    log(`${offers.length} offers of ${DAY} (${(bytes / 2 ** 20).toFixed(1)} MiB of NDJSON)`);
    const lake = path.join(dir, "lake");
    // The machine may be shared: its load says how far the figures are from an idle one.
    const loadBefore = loadavg()[0]!;
    const rounds: {
      wallMs: number;
      sessionMs: number;
      workMs: number;
      rows: number;
      bytes: number;
    }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const started = performance.now();
      const job = await runSparkJob({
        python: settings.python,
        script: path.join(REPO, "spark", "jobs", "silver_offres.py"),
        args: [lake, file],
        env: {
          LIGNEE_PARTITION_KEY: DAY,
          LIGNEE_PARTITION_KEYS: JSON.stringify([DAY]),
          LIGNEE_ASSET_KEY: "silver/offres",
        },
        master: settings.master,
        jars: jarsIn(settings.jarsDir),
        appName: "lignee bench spark",
      });
      const wallMs = performance.now() - started;
      const round = {
        wallMs: Math.round(wallMs),
        sessionMs: Number(job.metadata.spark_session_ms),
        workMs: Number(job.metadata.spark_work_ms),
        rows: Number(job.metadata.build_rows),
        bytes: Number(job.metadata.build_bytes),
      };
      log(
        `round ${i + 1}: ${round.wallMs} ms (JVM start ${round.sessionMs} ms, Spark's work ${round.workMs} ms), ${round.rows} rows, ${round.bytes} bytes of Parquet`,
      );
      if (round.rows !== offers.length)
        throw new Error(`${round.rows} rows written for ${offers.length} offers`);
      rounds.push(round);
    }
    const wall = stats(rounds.map((r) => r.wallMs));
    const session = stats(rounds.map((r) => r.sessionMs));
    const work = stats(rounds.map((r) => r.workMs));
    const written = await writeResults("spark", {
      benchmark: "spark",
      date: new Date().toISOString(),
      machine: machineInfo(),
      java: javaVersion(),
      pyspark: pysparkVersion(settings.python),
      master: settings.master,
      loadAverage1m: { before: loadBefore, after: loadavg()[0]! },
      day: DAY,
      offers: offers.length,
      ndjsonBytes: bytes,
      parquetBytes: rounds[0]!.bytes,
      rounds,
      results: [
        { name: "silver/offres, one day (wall)", unit: "ms", ...wall },
        { name: "JVM start (SparkSession ready)", unit: "ms", ...session },
        { name: "Spark's work (read, write, count)", unit: "ms", ...work },
      ],
    });
    log(
      `silver/offres for ${offers.length} offers: ${wall.p50} ms (p50 of ${ROUNDS}); JVM start ${session.p50} ms, Spark's work ${work.p50} ms → ${path.relative(REPO, written)}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `java -version`'s first line (written to stderr). */
function javaVersion(): string {
  const r = spawnSync("java", ["-version"], { encoding: "utf8" });
  return (r.stderr || r.stdout || "unknown").split("\n")[0]!.trim();
}

function pysparkVersion(python: string): string {
  return execFileSync(
    python,
    ["-c", "from importlib.metadata import version; print(version('pyspark'))"],
    { encoding: "utf8" },
  ).trim();
}
