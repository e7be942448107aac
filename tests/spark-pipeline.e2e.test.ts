import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { gunzipSync, gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import path from "node:path";
import { runSparkJob } from "@lignee/engine";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, lignee, REPO_ROOT } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { jobOfferEnv } from "./support/job-offers";
import { connectSql } from "./support/sql";

/**
 * The Spark part of the job-offer pipeline through the CLI, on real Spark (`local[*]`) and a
 * real PostgreSQL: silver/offres turns each day's raw NDJSON into typed Parquet in the lake
 * (the data folder's lake/), replacing only its day; a raw day loaded again makes its silver
 * day stale; the monthly aggregate is computed over the whole lake and written to the
 * warehouse. Four JVM starts in all (two silver builds, one read-back, one aggregate).
 */
const DAYS = ["2024-08-01", "2024-08-02"];
const OFFERS_PER_DAY = 300;
let env: Record<string, string>;
let dataDir: string;
let sql: pg.Client;

beforeAll(async () => {
  const url = await createTestDatabase({ migrate: false });
  dataDir = await mkdtemp(path.join(tmpdir(), "lignee-spark-"));
  env = jobOfferEnv(url, dataDir, { offersPerWeekday: OFFERS_PER_DAY });
  sql = await connectSql(url);
});

afterAll(async () => {
  await sql.end();
});

interface StatusJson {
  assets: {
    key: string;
    status: string;
    ranges: Record<string, unknown>;
    checks: { checkName: string; passed: boolean; description: string }[];
  }[];
}

async function status(key: string): Promise<StatusJson["assets"][number]> {
  const r = await lignee(["status", "--select", key, "--json"], env);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as StatusJson).assets.find((a) => a.key === key)!;
}

async function materializationMetadata(stdout: string): Promise<Record<string, unknown>[]> {
  const { runId } = JSON.parse(stdout) as { runId: string };
  const shown = await lignee(["runs", "show", runId, "--json"], env);
  const events = (
    JSON.parse(shown.stdout) as {
      events: { type: string; data?: { metadata?: Record<string, unknown> } }[];
    }
  ).events;
  return events.filter((e) => e.type === "MATERIALIZATION").map((e) => e.data!.metadata!);
}

/** A day's raw file: the plain one, or the one the maintenance job compressed. */
async function dayText(day: string): Promise<string> {
  const plain = path.join(dataDir, `raw/offres/offres-${day}.ndjson`);
  try {
    return await readFile(plain, "utf8");
  } catch {
    return gunzipSync(await readFile(`${plain}.gz`)).toString("utf8");
  }
}

async function dayIds(day: string): Promise<string[]> {
  return (await dayText(day))
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => (JSON.parse(l) as { id: string }).id)
    .sort();
}

/** Compresses a day's file as the maintenance job does (`.ndjson.gz`, same modification time). */
async function compressDay(day: string): Promise<void> {
  const plain = path.join(dataDir, `raw/offres/offres-${day}.ndjson`);
  const { mtime } = await stat(plain);
  await writeFile(`${plain}.gz`, gzipSync(await readFile(plain)));
  await utimes(`${plain}.gz`, mtime, mtime);
  await rm(plain);
}

/** silver/offres read back by Spark: its schema and each day's ids. */
async function readSilver(): Promise<{
  schema: Record<string, string>;
  ids: Record<string, string[]>;
  sample: Record<string, string>;
}> {
  const job = await runSparkJob({
    python: path.join(REPO_ROOT, ".lignee/spark-venv/bin/python"),
    script: fixture("spark/read_silver.py"),
    args: [path.join(dataDir, "lake")],
    master: "local[1]",
    jars: [],
    appName: "lignee tests read silver",
  });
  return {
    schema: JSON.parse(String(job.metadata.schema)) as Record<string, string>,
    ids: JSON.parse(String(job.metadata.ids)) as Record<string, string[]>,
    sample: JSON.parse(String(job.metadata.sample)) as Record<string, string>,
  };
}

describe("silver/offres and its monthly aggregate (Spark)", () => {
  it("writes each day's offers, plain or gzipped, as typed Parquet partitioned by day", async () => {
    const raw = await lignee(
      ["materialize", "--select", "raw/offres", "--from", DAYS[0]!, "--to", DAYS[1]!],
      env,
    );
    expect(raw.code, raw.stderr).toBe(0);
    // The second day as the maintenance job leaves a week-old day: gzipped.
    await compressDay(DAYS[1]!);
    const silver = await lignee(
      ["materialize", "--select", "silver/offres", "--from", DAYS[0]!, "--to", DAYS[1]!, "--json"],
      env,
    );
    expect(silver.code, silver.stderr).toBe(0);
    // One job for both days: the build's figures on each, and each day's own.
    const [event] = await materializationMetadata(silver.stdout);
    expect(event).toMatchObject({ build_rows: 2 * OFFERS_PER_DAY, build_days: 2 });
    const recorded = await sql.query<{ partition_key: string; metadata: Record<string, unknown> }>(
      `SELECT partition_key, metadata FROM lignee.materializations
       WHERE asset_key = 'silver/offres' ORDER BY partition_key`,
    );
    expect(recorded.rows.map((r) => r.partition_key)).toEqual(DAYS);
    for (const { partition_key: day, metadata } of recorded.rows) {
      expect(metadata).toMatchObject({
        rows: OFFERS_PER_DAY,
        build_rows: 2 * OFFERS_PER_DAY,
        path: path.join(dataDir, `lake/silver/offres/jour=${day}`),
      });
      expect(metadata.bytes).toBeGreaterThan(0);
    }
    expect(await readdir(path.join(dataDir, "lake/silver/offres"))).toEqual(
      expect.arrayContaining(DAYS.map((d) => `jour=${d}`)),
    );

    const read = await readSilver();
    for (const day of DAYS) expect(read.ids[day]!.sort()).toEqual(await dayIds(day));
    expect(read.schema).toMatchObject({
      id: "string",
      date_creation: "timestamp",
      latitude: "double",
      longitude: "double",
      alternance: "boolean",
      nombre_postes: "int",
      code_departement: "string",
      jour: "date",
    });
    // The département the place's label starts with, as the warehouse reads it.
    expect(read.sample.lieu_travail?.startsWith(`${read.sample.code_departement} - `)).toBe(true);
  });

  it("makes a silver day stale when its raw day is loaded again, and fresh once rebuilt", async () => {
    expect((await status("silver/offres")).ranges.STALE).toEqual([]);
    const again = await lignee(
      ["materialize", "--select", "raw/offres", "--partition", DAYS[0]!],
      env,
    );
    expect(again.code, again.stderr).toBe(0);
    const stale = await status("silver/offres");
    expect(JSON.stringify(stale.ranges.STALE)).toContain(DAYS[0]);
    expect(JSON.stringify(stale.ranges.STALE)).not.toContain(DAYS[1]);

    const rebuilt = await lignee(
      ["materialize", "--select", "silver/offres", "--partition", DAYS[0]!],
      env,
    );
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect((await status("silver/offres")).ranges.STALE).toEqual([]);
  });

  it("computes the monthly aggregate over the whole lake into the warehouse", async () => {
    const r = await lignee(
      ["materialize", "--select", "gold/offres_par_mois_rome_departement", "--json"],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const [metadata] = await materializationMetadata(r.stdout);
    expect(metadata).toMatchObject({
      offers: 2 * OFFERS_PER_DAY,
      silver_rows: 2 * OFFERS_PER_DAY,
      days: 2,
      table: "emploi.offres_par_mois_rome_departement",
    });

    const { rows } = await sql.query<{ mois: string; rome: string; dep: string; n: string }>(
      `SELECT mois::text AS mois, rome_code AS rome, code_departement AS dep, nb_offres::text AS n
       FROM emploi.offres_par_mois_rome_departement`,
    );
    expect(rows.reduce((sum, row) => sum + Number(row.n), 0)).toBe(2 * OFFERS_PER_DAY);
    expect(new Set(rows.map((row) => row.mois))).toEqual(new Set(["2024-08-01"]));
    // Each (ROME, département) of the raw files, counted.
    const expected = new Map<string, number>();
    for (const day of DAYS) {
      const text = await dayText(day);
      for (const line of text.split("\n").filter((l) => l.trim() !== "")) {
        const offer = JSON.parse(line) as { romeCode?: string; lieuTravail?: { libelle?: string } };
        const dep = /^(97[0-9]|2[AB]|[0-9]{2}) - /.exec(offer.lieuTravail?.libelle ?? "")?.[1];
        const key = `${offer.romeCode ?? ""}|${dep ?? ""}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
    }
    expect(
      new Map(rows.map((row) => [`${row.rome ?? ""}|${row.dep ?? ""}`, Number(row.n)])),
    ).toEqual(expected);

    const s = await status("gold/offres_par_mois_rome_departement");
    expect(s.status).toBe("FRESH");
    expect(s.checks).toEqual([
      expect.objectContaining({
        checkName: "total_matches_silver",
        passed: true,
        description: `${2 * OFFERS_PER_DAY} offers, as many as silver/offres holds`,
      }),
    ]);
  });
});
