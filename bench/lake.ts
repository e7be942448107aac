import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { existsSync } from "node:fs";
import { FileRawStore, jarsIn, runSparkJob, sparkSettings, type RawStore } from "@lignee/engine";
import { loadOffresObject } from "../packages/assets/src/offres/loader";
import { offresKey } from "../packages/assets/src/offres/raw-files";
import { OFFRES_DDL } from "../packages/assets/src/offres/table";
import { Warehouse } from "../packages/assets/src/warehouse/warehouse";
import { startS3Proxy, type S3Proxy } from "../tests/support/s3proxy";
import { offersDayFiles, REPO } from "./offers-file";
import { machineInfo, openBenchDatabase, writeResults } from "./support";

/**
 * `pnpm bench lake [days]`: the raw load from an S3-compatible store against the same load from
 * the local disk. The first `days` days of the bench's offers (default 6, about 300,000 offers,
 * one NDJSON file each, as the collector files them) are uploaded to a local S3Proxy (the real
 * S3 server of the tests, filesystem provider), then loaded into raw.offres day by day with
 * the real loader, once from the data folder and once streamed from S3, three rounds each, on
 * a fresh database. Target: the S3 load within 1.2 × the local one (medians).
 *
 * Then Spark's silver/offres for the first day, from the bucket to the bucket's lake (s3a), as a
 * worker of an S3 deployment runs it: two rounds, each its own JVM, wall time and its parts.
 */
const RATIO_TARGET = 1.2;
const ROUNDS = 3;

export async function run(args: readonly string[] = []): Promise<void> {
  const log = (m: string): void => console.error(m);
  const count = Number(args[0] ?? 6);
  if (!Number.isInteger(count) || count < 1) throw new Error(`days must be ≥ 1 (got ${args[0]})`);
  const days = (await offersDayFiles(log)).slice(0, count);
  const offers = days.reduce((a, d) => a + d.rows, 0);
  const work = await mkdtemp(path.join(tmpdir(), "lignee-bench-lake-"));
  const proxy = await startS3Proxy("lake");
  const db = await openBenchDatabase(log);
  const warehouse = new Warehouse(db.url);
  const local = new FileRawStore(work);
  const s3 = proxy.store("s3://lake/lignee");
  try {
    await mkdir(path.join(work, "raw", "offres"), { recursive: true });
    for (const d of days) await symlink(d.file, path.join(work, ...offresKey(d.day).split("/")));
    log(`${days.length} days, ${offers} offers; uploading them to S3Proxy at ${proxy.endpoint}…`);
    const uploadStarted = performance.now();
    let bytes = 0;
    for (const d of days) {
      const written = await s3.write(offresKey(d.day), local.read(offresKey(d.day)));
      bytes += written.size;
    }
    const uploadMs = performance.now() - uploadStarted;
    log(`  ${mb(bytes)} MB in ${(uploadMs / 1000).toFixed(1)} s`);

    await warehouse.ensure(OFFRES_DDL);
    const timings: Record<"local" | "s3", number[]> = { local: [], s3: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, store] of [
        ["local", local],
        ["s3", s3],
      ] as const) {
        await warehouse.pool.query("TRUNCATE raw.offres");
        await warehouse.pool.query("CHECKPOINT");
        const ms = await loadAll(warehouse, store, days);
        const { rows } = await warehouse.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM raw.offres",
        );
        if (rows[0]!.n !== offers)
          throw new Error(`${name}: ${rows[0]!.n} rows loaded, expected ${offers}`);
        timings[name].push(ms);
        log(`round ${round}: ${name.padEnd(5)} ${(ms / 1000).toFixed(2)} s`);
      }
    }
    const silver = await sparkSilverFromS3(proxy, days[0]!, log);
    const localMs = median(timings.local);
    const s3Ms = median(timings.s3);
    const ratio = s3Ms / localMs;
    const result = {
      name: "lake_raw_load",
      days: days.length,
      offers,
      bytes,
      uploadSeconds: round(uploadMs / 1000),
      localSeconds: timings.local.map((ms) => round(ms / 1000)),
      s3Seconds: timings.s3.map((ms) => round(ms / 1000)),
      localMedianSeconds: round(localMs / 1000),
      s3MedianSeconds: round(s3Ms / 1000),
      ratio: round(ratio),
      ratioTarget: RATIO_TARGET,
      ratioMet: ratio <= RATIO_TARGET,
      sparkSilverPerDay: silver,
    };
    const file = await writeResults("lake", {
      machine: machineInfo(),
      database: db.description,
      s3: "S3Proxy 4.1.0 (filesystem provider), on this machine",
      date: new Date().toISOString(),
      results: [result],
    });
    console.log(
      `raw load of ${offers} offers (${days.length} days): local ${result.localMedianSeconds} s, ` +
        `S3 ${result.s3MedianSeconds} s, ratio ${result.ratio} (target ≤ ${RATIO_TARGET}) ` +
        `${result.ratioMet ? "met" : "MISSED"}; Spark silver/offres for a day from S3: ` +
        `${silver.wallMs.join(" / ")} ms (JVM start ${silver.sessionMs.join(" / ")} ms)\n→ ${file}`,
    );
  } finally {
    await s3.close();
    await warehouse.close();
    await db.close();
    await proxy.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/** Loads every day from `store`, one after the other; the wall time in ms. */
async function loadAll(
  warehouse: Warehouse,
  store: RawStore,
  days: readonly { day: string }[],
): Promise<number> {
  const started = performance.now();
  for (const d of days) await loadOffresObject(warehouse, store, offresKey(d.day), d.day);
  return performance.now() - started;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

/** silver/offres for `day`, its raw file read from the bucket, its Parquet written there. */
async function sparkSilverFromS3(
  proxy: Pick<S3Proxy, "env">,
  day: { day: string; rows: number },
  log: (m: string) => void,
): Promise<{ offers: number; wallMs: number[]; sessionMs: number[]; workMs: number[] }> {
  const settings = sparkSettings(REPO);
  if (!existsSync(settings.python))
    throw new Error("PySpark is not installed: run `bash scripts/spark-setup.sh`");
  const out = {
    offers: day.rows,
    wallMs: [] as number[],
    sessionMs: [] as number[],
    workMs: [] as number[],
  };
  for (let round = 1; round <= 2; round++) {
    const started = performance.now();
    const job = await runSparkJob({
      python: settings.python,
      script: path.join(REPO, "spark", "jobs", "silver_offres.py"),
      args: ["s3a://lake/lignee/lake", `s3a://lake/lignee/${offresKey(day.day)}`],
      env: {
        LIGNEE_PARTITION_KEY: day.day,
        LIGNEE_PARTITION_KEYS: JSON.stringify([day.day]),
        LIGNEE_ASSET_KEY: "silver/offres",
        ...proxy.env,
      },
      master: settings.master,
      jars: jarsIn(settings.jarsDir),
      appName: "lignee bench lake silver",
    });
    const rows = Number(job.metadata.build_rows);
    if (rows !== day.rows) throw new Error(`silver: ${rows} rows written for ${day.rows} offers`);
    out.wallMs.push(Math.round(performance.now() - started));
    out.sessionMs.push(Number(job.metadata.spark_session_ms));
    out.workMs.push(Number(job.metadata.spark_work_ms));
    log(
      `silver/offres from S3, round ${round}: ${out.wallMs.at(-1)} ms (JVM start ${out.sessionMs.at(-1)} ms, Spark's work ${out.workMs.at(-1)} ms)`,
    );
  }
  return out;
}
