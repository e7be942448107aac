import { mkdir, mkdtemp, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildExampleDefinitions,
  compressRawFolder,
  dailyPartitions,
  defineAsset,
  Definitions,
  executeRun,
  gzipFileAtomically,
  MAINTENANCE_SCHEDULE,
  PostgresAuthStore,
  PostgresAutomationStore,
  PostgresStorage,
  prepareRun,
  RunQueue,
  runMaintenance,
  runMaintenanceHere,
  Scheduler,
  Worker,
  type AutomationStore,
  type MaintenanceReport,
} from "@lignee/engine";
import { offresFilesSensor } from "@lignee/assets/automation";
import { fixture, lignee } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { waitFor } from "./support/wait";

/**
 * The maintenance job against a real PostgreSQL database and real files: what pruning deletes
 * and keeps, the dry run, and the built-in schedule evaluated by two schedulers at once, its
 * run executed by a worker.
 */
let url: string;
let storage: PostgresStorage;
let sql: pg.Client;
let pool: pg.Pool;
const stores: AutomationStore[] = [];
const DAY = 86_400_000;

beforeAll(async () => {
  url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
  pool = new pg.Pool({ connectionString: url, max: 2 });
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await pool.end();
  await sql.end();
  await storage.close();
});

const example = buildExampleDefinitions() as Definitions<unknown>;

/** Materialises a day of the example pipeline; the run's id. */
async function materialize(day: string): Promise<string> {
  const prepared = prepareRun(
    example,
    { selection: "raw/events+", partitions: { kind: "single", key: day } },
    new Date(),
  );
  const result = await executeRun({ definitions: example, storage, prepared });
  expect(result.outcome).toBe("SUCCESS");
  return result.runId;
}

const count = async (query: string, params: unknown[] = []): Promise<number> =>
  Number((await sql.query<{ n: string }>(query, params)).rows[0]!.n);

/** Row counts of everything pruning must leave alone. */
async function kept(): Promise<Record<string, number>> {
  const tables = [
    "runs",
    "materializations",
    "asset_partitions",
    "asset_version_ranges",
    "asset_digests",
    "check_results",
    "schedule_ticks",
  ];
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = await count(`SELECT count(*) AS n FROM lignee.${t}`);
  return counts;
}

function withoutTimes(report: MaintenanceReport): unknown {
  const { startedAt: _s, finishedAt: _f, dryRun: _d, vacuum: _v, bytesFreed, ...rest } = report;
  return { ...rest, databaseRows: bytesFreed.databaseRows };
}

describe("maintenance: pruning", () => {
  it("deletes only the events of runs ended before the retention, and a dry run changes nothing", async () => {
    const old = await materialize("2024-06-01");
    const recent = await materialize("2024-06-02");
    await sql.query("UPDATE lignee.runs SET ended_at = now() - interval '40 days' WHERE id = $1", [
      old,
    ]);
    await storage.recordCheckResult({
      runId: old,
      assetKey: "raw/events",
      partitionKey: "2024-06-01",
      checkName: "not_empty",
      passed: true,
      severity: "error",
    });
    // Sensor evaluations: three old ones of one sensor, one old one of another (its latest).
    await sql.query(
      `INSERT INTO lignee.sensor_ticks (sensor, status, created_at) VALUES
         ('files', 'SKIPPED', now() - interval '20 days'),
         ('files', 'SKIPPED', now() - interval '19 days'),
         ('files', 'SKIPPED', now() - interval '1 hour'),
         ('lonely', 'SKIPPED', now() - interval '30 days')`,
    );
    const oldEvents = await count("SELECT count(*) AS n FROM lignee.events WHERE run_id = $1", [
      old,
    ]);
    const recentEvents = await count("SELECT count(*) AS n FROM lignee.events WHERE run_id = $1", [
      recent,
    ]);
    expect(oldEvents).toBeGreaterThan(3);
    const before = await kept();
    const statusBefore = await storage.getAssetSummaries();
    const config = { ...example.maintenance, eventsRetentionDays: 30, sensorTicksRetentionDays: 7 };

    const now = new Date();
    const dry = await runMaintenance({ pool, config, now, dryRun: true, batchSize: 2 });
    expect(dry.events).toMatchObject({ runs: 1, rows: oldEvents });
    expect(dry.events.bytes).toBeGreaterThan(0);
    expect(dry.sensorTicks.rows).toBe(2);
    expect(await count("SELECT count(*) AS n FROM lignee.events WHERE run_id = $1", [old])).toBe(
      oldEvents,
    );
    expect(await count("SELECT count(*) AS n FROM lignee.sensor_ticks")).toBe(4);

    // Small batches: many statements, the same result.
    const done = await runMaintenance({ pool, config, now, dryRun: false, batchSize: 2 });
    expect(withoutTimes(done)).toEqual(withoutTimes(dry));
    expect(done.vacuum.map((v) => v.table)).toEqual([
      "lignee.events",
      "lignee.sensor_ticks",
      "lignee.audit_events",
    ]);
    expect(await count("SELECT count(*) AS n FROM lignee.events WHERE run_id = $1", [old])).toBe(0);
    expect(await count("SELECT count(*) AS n FROM lignee.events WHERE run_id = $1", [recent])).toBe(
      recentEvents,
    );
    expect(
      (await sql.query("SELECT sensor FROM lignee.sensor_ticks ORDER BY id")).rows.map(
        (r: { sensor: string }) => r.sensor,
      ),
    ).toEqual(["files", "lonely"]);
    // Materialisations, status, check results and the runs themselves stay.
    expect(await kept()).toEqual(before);
    expect(await storage.getAssetSummaries()).toEqual(statusBefore);
    expect((await storage.getRun(old))?.status).toBe("SUCCESS");

    const again = await runMaintenance({ pool, config, dryRun: true });
    expect(again.events.rows).toBe(0);
    expect(again.sensorTicks.rows).toBe(0);
  });
});

describe("maintenance: the audit trail", () => {
  it("deletes audit lines older than auditDays, failed sign-ins older than a day and expired sessions", async () => {
    const auth = PostgresAuthStore.connect(url, { max: 1 });
    try {
      const now = new Date();
      const ago = (days: number): Date => new Date(now.getTime() - days * DAY);
      for (const [action, at] of [
        ["run.launch", ago(400)],
        ["run.cancel", ago(366)],
        ["user.add", ago(10)],
      ] as const) {
        await auth.recordAudit({
          actor: "alice",
          actorKind: "user",
          action,
          target: null,
          detail: {},
          at,
        });
      }
      await auth.recordSignInFailure(["user:alice", "address:192.0.2.1"], ago(2));
      await auth.recordSignInFailure(["user:alice"], ago(0.01));
      const alice = await auth.addUser({
        name: "alice",
        role: "admin",
        passwordHash: "scrypt$hash",
        at: ago(3),
      });
      const session = { userId: alice.id, passwordHash: "scrypt$hash", at: ago(3) };
      await auth.createSession({ ...session, secretHash: Buffer.from("gone"), expiresAt: ago(1) });
      await auth.createSession({ ...session, secretHash: Buffer.from("live"), expiresAt: ago(-1) });
      const config = { ...example.maintenance };
      expect(config.auditRetentionDays).toBe(365);

      const dry = await runMaintenance({ pool, config, now, dryRun: true, batchSize: 1 });
      expect(dry.audit).toMatchObject({
        retentionDays: 365,
        rows: 2,
        signInFailures: 2,
        expiredSessions: 1,
      });
      expect(dry.audit.bytes).toBeGreaterThan(0);
      expect(await count("SELECT count(*) AS n FROM lignee.audit_events")).toBe(3);

      const done = await runMaintenance({ pool, config, now, dryRun: false, batchSize: 1 });
      expect(done.audit).toEqual(dry.audit);
      expect((await auth.listAudit({ limit: 10 })).map((a) => a.action)).toEqual(["user.add"]);
      expect(await count("SELECT count(*) AS n FROM lignee.sign_in_failures")).toBe(1);
      expect(await count("SELECT count(*) AS n FROM lignee.sessions")).toBe(1);

      const shorter = { ...config, auditRetentionDays: 7 };
      expect((await runMaintenance({ pool, config: shorter, now, dryRun: true })).audit.rows).toBe(
        1,
      );
    } finally {
      await auth.close();
    }
  });
});

describe("maintenance: raw files", () => {
  it("compresses files older than the folder's age, leaves younger ones, and a dry run touches nothing", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lignee-maint-"));
    const lines = Array.from(
      { length: 2000 },
      (_, i) => `{"id":"${i}","intitule":"Développeur ${i % 7}","lieu":"Paris"}`,
    ).join("\n");
    const oldFile = path.join(dir, "day-old.ndjson");
    const youngFile = path.join(dir, "day-young.ndjson");
    await writeFile(oldFile, lines);
    await writeFile(youngFile, lines);
    await writeFile(path.join(dir, "notes.txt"), "not a raw file");
    const tenDaysAgo = new Date(Date.now() - 10 * DAY);
    await utimes(oldFile, tenDaysAgo, tenDaysAgo);
    const config = {
      ...example.maintenance,
      rawFiles: [{ dir, pattern: "day-*.ndjson", compressAfterDays: 7, label: "days" }],
    };

    const size = Buffer.byteLength(lines);
    const dry = await runMaintenance({ pool, config, dryRun: true });
    expect(dry.rawFiles[0]).toMatchObject({ files: 1, bytesBefore: size, bytesAfter: 0 });
    expect((await readdir(dir)).sort()).toEqual([
      "day-old.ndjson",
      "day-young.ndjson",
      "notes.txt",
    ]);

    const mtimeMs = Math.trunc((await stat(oldFile)).mtimeMs);
    const done = await runMaintenance({ pool, config, dryRun: false });
    expect(done.rawFiles[0]).toMatchObject({ files: 1, bytesBefore: size });
    expect(done.rawFiles[0]!.bytesAfter).toBeGreaterThan(0);
    expect(done.bytesFreed.files).toBe(size - done.rawFiles[0]!.bytesAfter);
    expect((await readdir(dir)).sort()).toEqual([
      "day-old.ndjson.gz",
      "day-young.ndjson",
      "notes.txt",
    ]);
    // The compressed file keeps the original's modification time.
    expect(Math.trunc((await stat(path.join(dir, "day-old.ndjson.gz"))).mtimeMs)).toBe(mtimeMs);
  });
});

describe("maintenance: raw files, crashes and races", () => {
  it("two compressions of one file at once leave one intact .gz; a crash's leftovers are removed", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lignee-maint-race-"));
    const file = path.join(dir, "day.ndjson");
    const content = '{"id":"1","texte":"une offre"}\n'.repeat(50_000);
    await writeFile(file, content);
    const results = await Promise.all([gzipFileAtomically(file), gzipFileAtomically(file)]);
    expect(results.filter((r) => r.compressed).length).toBeGreaterThanOrEqual(1);
    expect(await readdir(dir)).toEqual(["day.ndjson.gz"]);
    expect(gunzipSync(await readFile(path.join(dir, "day.ndjson.gz"))).toString()).toBe(content);

    // A dead process's temporary file (two days old) goes; one being written (new) stays.
    const stale = path.join(dir, "b.ndjson.gz.999-dead.tmp");
    const fresh = path.join(dir, "b.ndjson.gz.998-live.tmp");
    await writeFile(stale, "partial");
    await writeFile(fresh, "partial");
    const twoDaysAgo = new Date(Date.now() - 2 * DAY);
    await utimes(stale, twoDaysAgo, twoDaysAgo);
    await compressRawFolder(
      { dir, pattern: "*.ndjson", compressAfterDays: 7, label: "x" },
      { now: new Date(), dryRun: false },
    );
    expect((await readdir(dir)).sort()).toEqual(["b.ndjson.gz.998-live.tmp", "day.ndjson.gz"]);
  });
});

describe("maintenance: a compressed day and the raw-folder sensor", () => {
  it("a day compressed after it was loaded is not new data: no run", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "lignee-maint-sensor-"));
    const folder = path.join(dataDir, "raw", "offres");
    await mkdir(folder, { recursive: true });
    const offres = defineAsset({
      key: "raw/offres",
      partitions: dailyPartitions({ start: "2024-05-23" }),
      async materialize() {
        return {};
      },
    });
    const definitions = Definitions.create<unknown>({
      assets: [offres],
      sensors: [offresFilesSensor({ dataDir: () => dataDir, intervalMs: 0 })],
      maintenance: { schedule: false },
    });
    const store = PostgresAutomationStore.connect(url);
    stores.push(store);
    const scheduler = new Scheduler({ definitions, storage, store, log: () => undefined });
    const sensorRuns = async (): Promise<number> =>
      count("SELECT count(*) AS n FROM lignee.runs WHERE tags->>'sensor' = 'offres_fichiers'");
    const file = path.join(folder, "offres-2024-08-01.ndjson");
    await writeFile(file, '{"id":"1"}\n{"id":"2"}\n');
    const old = new Date(Date.now() - 10 * DAY);
    await utimes(file, old, old);
    await scheduler.evaluate(new Date("2024-09-01T12:00:00Z"));
    expect(await sensorRuns()).toBe(1);

    const compressed = await compressRawFolder(
      { dir: folder, pattern: "offres-*.ndjson", compressAfterDays: 7, label: "raw/offres" },
      { now: new Date(), dryRun: false },
    );
    expect(compressed.files).toBe(1);
    await scheduler.evaluate(new Date("2024-09-01T12:00:05Z"));
    expect(await sensorRuns()).toBe(1);
    const ticks = await sql.query<{ status: string }>(
      "SELECT status FROM lignee.sensor_ticks WHERE sensor = 'offres_fichiers' ORDER BY id",
    );
    expect(ticks.rows.map((t) => t.status)).toEqual(["SUCCESS", "SKIPPED"]);
  });
});

describe("maintenance: the built-in job", () => {
  it("is scheduled daily at 03:00 Paris, fires once with two schedulers, and a worker runs it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lignee-maint-job-"));
    await mkdir(dir, { recursive: true });
    const definitions = Definitions.create<unknown>({
      assets: example.assets,
      maintenance: { rawFiles: [{ dir, pattern: "*.ndjson" }] },
    });
    expect(definitions.maintenance.schedule).toMatchObject({
      name: MAINTENANCE_SCHEDULE,
      cron: "0 3 * * *",
      timezone: "Europe/Paris",
    });
    const schedulers = [0, 1].map(() => {
      const store = PostgresAutomationStore.connect(url);
      stores.push(store);
      return new Scheduler({ definitions, storage, store, log: () => undefined });
    });
    // 02:59 Paris (CEST) then 03:01, evaluated by both schedulers at once.
    const before = new Date("2026-06-10T00:59:00Z");
    const after = new Date("2026-06-10T01:01:00Z");
    await Promise.all(schedulers.map((s) => s.evaluate(before)));
    await Promise.all(schedulers.map((s) => s.evaluate(after)));
    await Promise.all(schedulers.map((s) => s.evaluate(after)));
    const ticks = await sql.query<{ status: string; run_id: string }>(
      "SELECT status, run_id FROM lignee.schedule_ticks WHERE schedule = $1",
      [MAINTENANCE_SCHEDULE],
    );
    expect(ticks.rows).toEqual([{ status: "SUCCESS", run_id: expect.any(String) }]);
    const runs = await sql.query<{ id: string; status: string; tags: Record<string, string> }>(
      "SELECT id, status, tags FROM lignee.runs WHERE tags->>'lignee/job' = 'maintenance'",
    );
    expect(runs.rows).toHaveLength(1);
    expect(runs.rows[0]).toMatchObject({ id: ticks.rows[0]!.run_id, status: "QUEUED" });
    expect(runs.rows[0]!.tags).toMatchObject({
      schedule: MAINTENANCE_SCHEDULE,
      "lignee/job": "maintenance",
    });

    const queue = RunQueue.connect(url);
    const worker = new Worker({
      definitions,
      storage,
      queue,
      environment: { databaseUrl: url, home: dir },
      pollMs: 50,
      log: () => undefined,
    });
    await worker.start();
    try {
      const runId = runs.rows[0]!.id;
      const run = await waitFor("the maintenance run to end", async () => {
        const r = await storage.getRun(runId);
        return r && r.endedAt ? r : undefined;
      });
      expect(run.status).toBe("SUCCESS");
      const events = await storage.listEvents(runId);
      expect(events.map((e) => e.type)).toContain("RUN_SUCCESS");
      const report = events.find((e) => e.data?.maintenanceReport)?.data
        ?.maintenanceReport as MaintenanceReport;
      expect(report).toMatchObject({ dryRun: false, rawFiles: [{ files: 0 }] });
    } finally {
      await worker.stop();
      await queue.close();
    }
  });

  it("a maintenance that fails ends its run FAILURE with the reason, like any run", async () => {
    const notADir = path.join(await mkdtemp(path.join(tmpdir(), "lignee-maint-fail-")), "file");
    await writeFile(notADir, "a file where a folder is expected");
    const definitions = Definitions.create<unknown>({
      assets: example.assets,
      maintenance: { rawFiles: [{ dir: notADir, pattern: "*.ndjson", label: "broken" }] },
    });
    const result = await runMaintenanceHere({
      definitions,
      storage,
      databaseUrl: url,
      launchedBy: { kind: "cli", detail: null },
    });
    expect(result.outcome).toBe("FAILURE");
    const run = await storage.getRun(result.runId);
    expect(run).toMatchObject({ status: "FAILURE", selection: "maintenance" });
    expect(run?.error).toMatch(/^maintenance failed: ENOTDIR/);
    const events = await storage.listEvents(result.runId);
    // Pruned events, sensor evaluations, the audit trail, vacuum; then the raw files failed.
    expect(events.map((e) => e.type)).toEqual([
      "RUN_START",
      "LOG",
      "LOG",
      "LOG",
      "LOG",
      "RUN_FAILURE",
    ]);
  });

  it("can be switched off or moved by the definitions, and refuses bad settings", () => {
    const off = Definitions.create<unknown>({
      assets: example.assets,
      maintenance: { schedule: false },
    });
    expect(off.maintenance.schedule).toBeUndefined();
    expect(off.allSchedules).toEqual([]);
    const moved = Definitions.create<unknown>({
      assets: example.assets,
      maintenance: { schedule: { cron: "30 4 * * 0" }, retention: { eventsDays: 90 } },
    });
    expect(moved.maintenance).toMatchObject({
      schedule: { cron: "30 4 * * 0" },
      eventsRetentionDays: 90,
    });
    expect(() =>
      Definitions.create<unknown>({
        assets: example.assets,
        maintenance: {
          schedule: { cron: "not a cron" },
          retention: { eventsDays: -1 },
          rawFiles: [{ dir: "x", pattern: "a/*.ndjson" }],
        },
      }),
    ).toThrow(/eventsDays must be[\s\S]*pattern must be[\s\S]*maintenance schedule: invalid cron/);
  });
});

describe("lignee maintenance", () => {
  it("--dry-run prints what it would do and creates nothing; without it, runs as a run", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lignee-maint-cli-"));
    const file = path.join(dir, "old.ndjson");
    await writeFile(file, '{"id":"1"}\n'.repeat(1000));
    const old = new Date(Date.now() - 30 * DAY);
    await utimes(file, old, old);
    const env = { DATABASE_URL: url, LIGNEE_TEST_RAW_DIR: dir };
    const args = ["--definitions", fixture("maintenance.ts"), "maintenance"];
    const runsBefore = await count("SELECT count(*) AS n FROM lignee.runs");

    const dry = await lignee([...args, "--dry-run"], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("Maintenance dry run: nothing changed");
    expect(dry.stdout).toMatch(/raw files raw\/test: would compress 1 file\(s\) older than 7 d/);
    expect(await readdir(dir)).toEqual(["old.ndjson"]);
    expect(await count("SELECT count(*) AS n FROM lignee.runs")).toBe(runsBefore);

    const done = await lignee([...args, "--json"], env);
    expect(done.code, done.stderr).toBe(0);
    const { runId, report } = JSON.parse(done.stdout) as {
      runId: string;
      report: MaintenanceReport;
    };
    expect(report.rawFiles[0]).toMatchObject({ files: 1, bytesBefore: 11_000 });
    expect(await readdir(dir)).toEqual(["old.ndjson.gz"]);
    const run = await storage.getRun(runId);
    expect(run).toMatchObject({
      status: "SUCCESS",
      selection: "maintenance",
      tags: { "lignee/job": "maintenance" },
      launchedBy: { kind: "cli" },
    });
  });
});
