import { existsSync } from "node:fs";
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  executeRun,
  PostgresAutomationStore,
  PostgresStorage,
  prepareRun,
  Scheduler,
  type Definitions,
  type PartitionRequest,
  type RawStore,
} from "@lignee/engine";
import { lignee } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { jobOfferEnv } from "./support/job-offers";
import { startS3Proxy, type S3Proxy } from "./support/s3proxy";

/**
 * Raw files in an S3-compatible store (a real S3Proxy on this machine), shared by workers that
 * share no disk: one collects a day into the bucket (the CLI, in its own process, with its own
 * data folder and database), another, on another data folder and database, finds the day with
 * its raw-folder sensor and loads it from the bucket, row for row.
 */
const DAY = "2024-08-01";
const KEY = `raw/offres/offres-${DAY}.ndjson`;
let proxy: S3Proxy;
let bucket: RawStore;
let s3Env: Record<string, string>;
const sqls: pg.Client[] = [];

const connect = async (url: string): Promise<pg.Client> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  sqls.push(client);
  return client;
};

/** The lines of an object of the bucket (its offers). */
const linesOf = async (store: RawStore, key: string): Promise<string[]> => {
  const chunks: Buffer[] = [];
  for await (const chunk of store.read(key)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString("utf8")
    .split("\n")
    .filter((l) => l !== "");
};

const keysOf = async (store: RawStore): Promise<string[]> => {
  const keys: string[] = [];
  for await (const o of store.list("")) keys.push(o.key);
  return keys;
};

beforeAll(async () => {
  proxy = await startS3Proxy("lake");
  s3Env = { LIGNEE_RAW_STORE: "s3://lake/lignee", ...proxy.env };
  bucket = proxy.store("s3://lake/lignee");
});

afterAll(async () => {
  for (const client of sqls) await client.end();
  await bucket?.close();
  await proxy?.stop();
});

describe("raw files in S3", () => {
  it("a day collected by one worker into the bucket is loaded, row for row, by a worker on another data folder", async () => {
    // Worker A: collects and loads the day; the file goes to the bucket, not to its disk.
    const urlA = await createTestDatabase();
    const dirA = await mkdtemp(path.join(tmpdir(), "lignee-s3-a-"));
    const envA = jobOfferEnv(urlA, dirA, { offersPerWeekday: 1500 }, s3Env);
    const collected = await lignee(
      ["materialize", "--select", "raw/offres", "--partition", DAY],
      envA,
    );
    expect(collected.code, collected.stderr).toBe(0);
    expect(await keysOf(bucket)).toEqual([KEY]);
    const lines = await linesOf(bucket, KEY);
    const ids = lines.map((l) => (JSON.parse(l) as { id: string }).id);
    expect(new Set(ids).size).toBe(ids.length);
    const sqlA = await connect(urlA);
    const inA = await sqlA.query<{ id: string }>(
      "SELECT id FROM raw.offres WHERE jour = $1 ORDER BY id",
      [DAY],
    );
    expect(inA.rows.map((r) => r.id)).toEqual([...ids].sort());
    const recorded = await sqlA.query<{ metadata: Record<string, unknown> }>(
      "SELECT metadata FROM lignee.materializations WHERE asset_key = 'raw/offres'",
    );
    expect(recorded.rows[0]!.metadata).toMatchObject({
      rows: ids.length,
      offers_reported: ids.length,
      file: KEY,
    });
    // Nothing of the day on A's disk: the spool is gone, the file is in the bucket only.
    expect(existsSync(path.join(dirA, "raw", "offres", `offres-${DAY}.ndjson`))).toBe(false);
    const leftOnA = existsSync(path.join(dirA, "raw", "offres"))
      ? await readdir(path.join(dirA, "raw", "offres"))
      : [];
    expect(leftOnA).toEqual([]);

    // Worker B: another data folder, another database, the same bucket. Its raw-folder sensor
    // lists the bucket and queues a load of the day, which streams the file from there.
    const urlB = await createTestDatabase();
    const dirB = await mkdtemp(path.join(tmpdir(), "lignee-s3-b-"));
    Object.assign(process.env, jobOfferEnv(urlB, dirB, { offersPerWeekday: 1500 }, s3Env));
    const definitions = (await import("@lignee/assets")).default as Definitions<unknown>;
    const storage = PostgresStorage.connect(urlB);
    const store = PostgresAutomationStore.connect(urlB);
    try {
      const report = await new Scheduler({
        definitions,
        storage,
        store,
        log: () => undefined,
      }).evaluate();
      expect(report.sensors[0]).toMatchObject({ sensor: "offres_fichiers", status: "SUCCESS" });
      const sqlB = await connect(urlB);
      const queued = await sqlB.query<{
        selection: string;
        partition_spec: PartitionRequest;
        tags: Record<string, string>;
      }>("SELECT selection, partition_spec, tags FROM lignee.runs");
      expect(queued.rows).toHaveLength(1);
      const run = queued.rows[0]!;
      expect(run).toMatchObject({ partition_spec: { kind: "single", key: DAY } });
      expect(run.tags).toMatchObject({ source: "file" });
      const result = await executeRun({
        definitions,
        storage,
        prepared: prepareRun(
          definitions,
          { selection: run.selection, partitions: run.partition_spec },
          new Date(),
        ),
        tags: run.tags,
        environment: { databaseUrl: urlB, home: dirB },
      });
      expect(result.outcome).toBe("SUCCESS");
      const inB = await sqlB.query<{ id: string }>(
        "SELECT id FROM raw.offres WHERE jour = $1 ORDER BY id",
        [DAY],
      );
      expect(inB.rows.map((r) => r.id)).toEqual(inA.rows.map((r) => r.id));
      const same = await sqlB.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM raw.offres WHERE jour = $1",
        [DAY],
      );
      expect(same.rows[0]!.n).toBe(ids.length);
      const [m] = await storage.listMaterializations("raw/offres", { limit: 1 });
      expect(m!.metadata).toMatchObject({ rows: ids.length, source: "file", file: KEY });
      // Loaded once: the sensor now finds nothing new in the bucket.
      await sqlB.query("UPDATE lignee.runs SET status = 'SUCCESS'");
      const again = await new Scheduler({
        definitions,
        storage,
        store,
        log: () => undefined,
      }).evaluate();
      expect(again.sensors[0]).toMatchObject({ status: "SKIPPED" });
      expect(existsSync(path.join(dirB, "raw", "offres", `offres-${DAY}.ndjson`))).toBe(false);
    } finally {
      await definitions.disposeResources();
      await store.close();
      await storage.close();
    }
  });

  it("refused credentials fail the collection with the store's message, leaving no rows and no object", async () => {
    const url = await createTestDatabase();
    const dir = await mkdtemp(path.join(tmpdir(), "lignee-s3-bad-"));
    const env = jobOfferEnv(
      url,
      dir,
      { offersPerWeekday: 200 },
      { ...s3Env, LIGNEE_RAW_STORE: "s3://lake/refused", AWS_SECRET_ACCESS_KEY: "wrong" },
    );
    const r = await lignee(["materialize", "--select", "raw/offres", "--partition", DAY], env);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/credentials|access denied/i);
    expect(r.stdout + r.stderr).toContain(proxy.endpoint);
    const sql = await connect(url);
    const rows = await sql
      .query<{ n: number }>("SELECT count(*)::int AS n FROM raw.offres WHERE jour = $1", [DAY])
      .catch(() => ({ rows: [{ n: 0 }] }));
    expect(rows.rows[0]!.n).toBe(0);
    const keys: string[] = [];
    const refused = proxy.store("s3://lake/refused");
    try {
      for await (const o of refused.list("")) keys.push(o.key);
    } finally {
      await refused.close();
    }
    expect(keys).toEqual([]);
  });
});
