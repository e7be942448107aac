import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
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
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";

/**
 * The job-offer definitions' automation, in this process against a real database: a day file
 * dropped in the raw folder is loaded as it is by the run the sensor queues (no collection), and
 * eager automation then asks for the warehouse model of that day.
 */
let url: string;
let dataDir: string;
let definitions: Definitions<unknown>;
let storage: PostgresStorage;
let store: PostgresAutomationStore;
let sql: pg.Client;

beforeAll(async () => {
  url = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "lignee-offres-auto-"));
  // Read when the definitions' sensor and resources look for the data folder.
  process.env.LIGNEE_DATA_DIR = dataDir;
  process.env.FRANCE_TRAVAIL_CLIENT_ID = "";
  process.env.FRANCE_TRAVAIL_CLIENT_SECRET = "";
  process.env.LIGNEE_SIMULATOR_OFFERS_PER_WEEKDAY = "10";
  definitions = (await import("@lignee/assets")).default as Definitions<unknown>;
  storage = PostgresStorage.connect(url);
  store = PostgresAutomationStore.connect(url);
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});

afterAll(async () => {
  await definitions?.disposeResources();
  await sql?.end();
  await store?.close();
  await storage?.close();
});

describe("job-offer automation", () => {
  it("declares the 01:00 Paris schedule (J-1, raw/offres+), the raw-folder sensor and eager models", () => {
    expect(definitions.schedules.map((s) => [s.name, s.cron, s.timezone, s.selection])).toEqual([
      ["offres_quotidiennes", "0 1 * * *", "Europe/Paris", "raw/offres+"],
    ]);
    const schedule = definitions.schedules[0]!;
    expect(schedule.partition!(new Date("2025-03-30T00:00:00Z"))).toBe("2025-03-29");
    expect(definitions.sensors.map((s) => [s.name, s.selection])).toEqual([
      ["offres_fichiers", "raw/offres"],
    ]);
    expect(definitions.eagerAssets.map((a) => a.key)).toContain("emploi/fait_offre_emploi");
    expect(definitions.eagerAssets.every((a) => a.key.startsWith("emploi/"))).toBe(true);
  });

  it("a dropped day file is loaded as it is, then the day's model is queued", async () => {
    const day = "2024-08-01";
    await mkdir(path.join(dataDir, "raw/offres"), { recursive: true });
    await writeFile(
      path.join(dataDir, "raw/offres", `offres-${day}.ndjson`),
      // Offers created inside the day: the quality gate on raw/offres passes.
      [
        '{"id":"T1","intitule":"a","dateCreation":"2024-08-01T08:00:00.000Z"}',
        '{"id":"T2","intitule":"b","dateCreation":"2024-08-01T12:30:00.000Z"}',
        '{"id":"T3","dateCreation":"2024-08-01T21:59:59.000Z"}',
      ].join("\n") + "\n",
    );
    const scheduler = new Scheduler({ definitions, storage, store, log: () => undefined });
    const report = await scheduler.evaluate();
    expect(report.sensors[0]).toMatchObject({ sensor: "offres_fichiers", status: "SUCCESS" });
    const queued = await sql.query<{
      selection: string;
      partition_spec: PartitionRequest;
      tags: Record<string, string>;
    }>(
      "SELECT selection, partition_spec, tags FROM lignee.runs WHERE tags->>'sensor' = 'offres_fichiers'",
    );
    expect(queued.rows).toHaveLength(1);
    const run = queued.rows[0]!;
    expect(run).toMatchObject({
      selection: "raw/offres",
      partition_spec: { kind: "single", key: day },
      tags: { source: "file" },
    });

    // What a worker does with it: the asset loads the file, nothing is collected.
    const prepared = prepareRun(
      definitions,
      { selection: run.selection, partitions: run.partition_spec },
      new Date(),
    );
    const result = await executeRun({
      definitions,
      storage,
      prepared,
      tags: run.tags,
      environment: { databaseUrl: url, home: dataDir },
    });
    expect(result.outcome).toBe("SUCCESS");
    const rows = await sql.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM raw.offres WHERE jour = $1",
      [day],
    );
    expect(rows.rows[0]!.n).toBe(3);
    const [m] = await storage.listMaterializations("raw/offres", { limit: 1 });
    expect(m!.metadata).toMatchObject({ rows: 3, source: "file" });
    expect(m!.metadata).not.toHaveProperty("api_calls");

    // The day's fact partition follows: one eager run, and the file is not loaded again.
    await sql.query(
      "UPDATE lignee.runs SET status = 'SUCCESS' WHERE tags->>'sensor' = 'offres_fichiers'",
    );
    const next = await new Scheduler({
      definitions,
      storage,
      store,
      log: () => undefined,
    }).evaluate();
    expect(next.sensors[0]).toMatchObject({ status: "SKIPPED" });
    expect(next.eager).toMatchObject({
      status: "SUCCESS",
      message: `emploi/fait_offre_emploi [${day}]`,
    });
  });
});
