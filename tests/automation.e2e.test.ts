import { appendFile, mkdir, mkdtemp, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildExampleDefinitions,
  dailyPartitions,
  dayBefore,
  defineAsset,
  defineSchedule,
  Definitions,
  executeRun,
  PostgresAutomationStore,
  PostgresStorage,
  prepareRun,
  Scheduler,
  scheduleRunId,
  type AutomationStore,
  type PartitionRequest,
} from "@lignee/engine";
import { offresFilesSensor } from "@lignee/assets/automation";
import { fileVersion } from "@lignee/assets/offres/raw-files";
import { createTestDatabase } from "./support/database";

/**
 * Automation in this process, against a real PostgreSQL database: the scheduler is evaluated
 * at chosen instants (an injected clock), so daylight-saving days and downtime are exact.
 * Scheduler processes are tested in automation-scheduler.e2e.test.ts.
 */
let url: string;
let storage: PostgresStorage;
let sql: pg.Client;
const stores: AutomationStore[] = [];

beforeAll(async () => {
  url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await sql.end();
  await storage.close();
});

function scheduler(
  definitions: Definitions<unknown>,
  extra: Partial<ConstructorParameters<typeof Scheduler>[0]> = {},
): Scheduler {
  const store = PostgresAutomationStore.connect(url);
  stores.push(store);
  return new Scheduler({ definitions, storage, store, log: () => undefined, ...extra });
}

const example = buildExampleDefinitions();

/** The example pipeline with a daily 01:00 Paris schedule named `name` (J-1, raw/events+). */
const withDailySchedule = (name: string, cron = "0 1 * * *"): Definitions<unknown> =>
  Definitions.create({
    assets: example.assets,
    schedules: [
      defineSchedule({
        name,
        cron,
        timezone: "Europe/Paris",
        selection: "raw/events+",
        partition: (scheduledAt) => dayBefore(scheduledAt, "Europe/Paris"),
      }),
    ],
  }) as Definitions<unknown>;

interface TickRow {
  scheduled_at: Date;
  status: string;
  run_id: string | null;
  error: string | null;
}

const ticks = async (schedule: string): Promise<TickRow[]> =>
  (
    await sql.query<TickRow>(
      "SELECT scheduled_at, status, run_id, error FROM lignee.schedule_ticks WHERE schedule = $1 ORDER BY scheduled_at",
      [schedule],
    )
  ).rows;

interface RunRow {
  id: string;
  status: string;
  selection: string;
  partition_spec: PartitionRequest;
  tags: Record<string, string>;
}

const runsTagged = async (tag: string, value: string): Promise<RunRow[]> =>
  (
    await sql.query<RunRow>(
      `SELECT id, status, selection, partition_spec, tags FROM lignee.runs
       WHERE tags->>$1 = $2 ORDER BY created_at, id`,
      [tag, value],
    )
  ).rows;

const at = (text: string): Date => new Date(text);

describe("schedules", () => {
  it("ticks once at 01:00 Paris on the 23-hour day (2025-03-30), asking for J-1", async () => {
    const defs = withDailySchedule("spring");
    const s = scheduler(defs);
    // First seen at noon on the 29th: the schedule starts from there.
    await s.evaluate(at("2025-03-29T12:00:00Z"));
    expect(await ticks("spring")).toEqual([]);
    // 01:00 CET = 00:00Z: on time, not a millisecond before.
    await s.evaluate(at("2025-03-29T23:59:59.999Z"));
    expect(await ticks("spring")).toEqual([]);
    const report = await s.evaluate(at("2025-03-30T00:00:00Z"));
    expect(report.schedules[0]!.runIds).toHaveLength(1);
    // Evaluated again all day long (through the change at 02:00 → 03:00): nothing more.
    for (const t of ["2025-03-30T00:00:01Z", "2025-03-30T01:00:00Z", "2025-03-30T22:59:59Z"]) {
      await s.evaluate(at(t));
    }
    // 01:00 CEST on the 31st = 23:00Z on the 30th.
    await s.evaluate(at("2025-03-30T23:00:00Z"));
    const rows = await ticks("spring");
    expect(rows.map((t) => [t.scheduled_at.toISOString(), t.status])).toEqual([
      ["2025-03-30T00:00:00.000Z", "SUCCESS"],
      ["2025-03-30T23:00:00.000Z", "SUCCESS"],
    ]);
    const runs = await runsTagged("schedule", "spring");
    expect(runs.map((r) => [r.id, r.status, r.selection, r.partition_spec])).toEqual([
      [rows[0]!.run_id, "QUEUED", "raw/events+", { kind: "single", key: "2025-03-29" }],
      [rows[1]!.run_id, "QUEUED", "raw/events+", { kind: "single", key: "2025-03-30" }],
    ]);
    expect(runs[0]!.tags).toEqual({
      trigger: "schedule",
      schedule: "spring",
      scheduledAt: "2025-03-30T00:00:00.000Z",
    });
    expect(runs[0]!.id).toBe(scheduleRunId("spring", at("2025-03-30T00:00:00Z")));
    expect((await storage.getRun(runs[0]!.id))?.launchedBy).toEqual({
      kind: "schedule",
      detail: "spring",
    });
  });

  it("ticks once on the 25-hour day (2025-10-26), at 01:00 CEST, and asks for that day after", async () => {
    const s = scheduler(withDailySchedule("autumn"));
    await s.evaluate(at("2025-10-25T12:00:00Z"));
    // Hourly evaluations over the whole of the 26th and 27th (Paris), 02:00–03:00 twice included.
    for (let h = 0; h < 50; h++) {
      await s.evaluate(new Date(Date.UTC(2025, 9, 25, 22, 0, 0) + h * 3_600_000));
    }
    const runs = await runsTagged("schedule", "autumn");
    expect(runs.map((r) => [r.tags.scheduledAt, r.partition_spec])).toEqual([
      ["2025-10-25T23:00:00.000Z", { kind: "single", key: "2025-10-25" }],
      ["2025-10-27T00:00:00.000Z", { kind: "single", key: "2025-10-26" }],
    ]);
  });

  it("a time inside the autumn overlap (02:30) ticks once on 2025-10-26", async () => {
    const s = scheduler(withDailySchedule("overlap", "30 2 * * *"));
    await s.evaluate(at("2025-10-25T12:00:00Z"));
    for (let m = 0; m <= 6 * 60; m += 15) {
      await s.evaluate(new Date(Date.UTC(2025, 9, 25, 23, 0, 0) + m * 60_000));
    }
    expect((await ticks("overlap")).map((t) => t.scheduled_at.toISOString())).toEqual([
      "2025-10-26T00:30:00.000Z",
    ]);
  });

  it("catches missed ticks up once each within the window; older ones are SKIPPED", async () => {
    const defs = withDailySchedule("downtime");
    const first = scheduler(defs, { catchUpWindowMs: 3 * 86_400_000 });
    await first.evaluate(at("2025-03-01T12:00:00Z"));
    // Down until the 10th at noon: ticks of the 2nd … 10th are due.
    const report = await first.evaluate(at("2025-03-10T12:00:00Z"));
    expect(report.schedules[0]).toMatchObject({ skipped: 6 });
    expect(report.schedules[0]!.runIds).toHaveLength(3);
    // Again, from another scheduler too: nothing is launched twice.
    await first.evaluate(at("2025-03-10T12:00:01Z"));
    await scheduler(defs).evaluate(at("2025-03-10T12:00:02Z"));

    const rows = await ticks("downtime");
    expect(rows.map((t) => [t.scheduled_at.toISOString().slice(0, 10), t.status])).toEqual([
      ["2025-03-02", "SKIPPED"],
      ["2025-03-03", "SKIPPED"],
      ["2025-03-04", "SKIPPED"],
      ["2025-03-05", "SKIPPED"],
      ["2025-03-06", "SKIPPED"],
      ["2025-03-07", "SKIPPED"],
      ["2025-03-08", "SUCCESS"],
      ["2025-03-09", "SUCCESS"],
      ["2025-03-10", "SUCCESS"],
    ]);
    expect(rows[0]!.error).toBe(
      "missed by more than the catch-up window (3 d): the scheduler was not running",
    );
    const runs = await runsTagged("schedule", "downtime");
    expect(runs.map((r) => (r.partition_spec as { key: string }).key)).toEqual([
      "2025-03-07",
      "2025-03-08",
      "2025-03-09",
    ]);
  });

  it("two schedulers evaluating at once queue one run per tick", async () => {
    const defs = withDailySchedule("twice");
    const [a, b] = [scheduler(defs), scheduler(defs)];
    await Promise.all([
      a.evaluate(at("2025-03-01T12:00:00Z")),
      b.evaluate(at("2025-03-01T12:00:00Z")),
    ]);
    await Promise.all([
      a.evaluate(at("2025-03-08T12:00:00Z")),
      b.evaluate(at("2025-03-08T12:00:00Z")),
    ]);
    const rows = await ticks("twice");
    expect(rows).toHaveLength(7);
    expect(rows.every((t) => t.status === "SUCCESS")).toBe(true);
    const runs = await runsTagged("schedule", "twice");
    expect(runs.map((r) => r.id).sort()).toEqual(rows.map((t) => t.run_id).sort());
  });

  it("a crash between recording a tick and queueing its run leaves exactly one run after restart", async () => {
    const defs = withDailySchedule("crash");
    const crashing = scheduler(defs, {
      afterTickRecorded: () => {
        throw new Error("simulated crash");
      },
    });
    await crashing.evaluate(at("2025-03-29T12:00:00Z"));
    const report = await crashing.evaluate(at("2025-03-30T00:00:05Z"));
    expect(report.errors).toEqual(["schedule crash: simulated crash"]);
    expect((await ticks("crash")).map((t) => t.status)).toEqual(["STARTED"]);
    expect(await runsTagged("schedule", "crash")).toEqual([]);

    const restarted = scheduler(defs);
    await restarted.evaluate(at("2025-03-30T00:01:00Z"));
    await restarted.evaluate(at("2025-03-30T00:02:00Z"));
    const rows = await ticks("crash");
    expect(rows.map((t) => t.status)).toEqual(["SUCCESS"]);
    const runs = await runsTagged("schedule", "crash");
    expect(runs.map((r) => r.id)).toEqual([scheduleRunId("crash", at("2025-03-30T00:00:00Z"))]);
  });

  it("wakes up for the next tick when it comes before the next interval", async () => {
    const s = scheduler(withDailySchedule("wake"), { intervalMs: 60_000 });
    // 00:59:30 Paris (CET): the tick at 01:00 comes 30 s later, before the minute is up.
    expect(s.nextWakeUp(at("2025-03-29T23:59:30Z")).toISOString()).toBe("2025-03-30T00:00:00.000Z");
    expect(s.nextWakeUp(at("2025-03-29T12:00:00Z")).toISOString()).toBe("2025-03-29T12:01:00.000Z");
    // A schedule switched off does not wake the scheduler.
    const store = PostgresAutomationStore.connect(url);
    stores.push(store);
    await s.evaluate(at("2025-03-29T12:00:00Z"));
    await store.setEnabled("schedule", "wake", false, at("2025-03-29T12:00:00Z"));
    await s.evaluate(at("2025-03-29T23:59:00Z"));
    expect(s.nextWakeUp(at("2025-03-29T23:59:30Z")).toISOString()).toBe("2025-03-30T00:00:30.000Z");
  });

  it("a tick whose partition is refused fails with the reason and queues nothing", async () => {
    const defs = Definitions.create({
      assets: example.assets,
      schedules: [
        defineSchedule({
          name: "future",
          cron: "0 1 * * *",
          selection: "raw/events",
          // The day in progress does not exist yet as a partition.
          partition: (scheduledAt) => scheduledAt.toISOString().slice(0, 10),
        }),
      ],
    }) as Definitions<unknown>;
    const s = scheduler(defs);
    await s.evaluate(at("2025-03-29T12:00:00Z"));
    const report = await s.evaluate(at("2025-03-30T00:00:00Z"));
    expect(report.schedules[0]!.failed[0]!.error).toMatch(/2025-03-30.*out of range/);
    expect((await ticks("future")).map((t) => t.status)).toEqual(["FAILURE"]);
    expect(await runsTagged("schedule", "future")).toEqual([]);
  });
});

describe("the raw offers folder sensor", () => {
  let dataDir: string;
  let defs: Definitions<unknown>;

  const file = (day: string): string => path.join(dataDir, "raw/offres", `offres-${day}.ndjson`);
  const sensorRuns = (): Promise<RunRow[]> => runsTagged("sensor", "offres_fichiers");

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "lignee-sensor-"));
    await mkdir(path.join(dataDir, "raw/offres"), { recursive: true });
    // raw/offres as the job-offer pipeline shapes it: a collection writes the day's file and
    // reports its version; a run tagged source=file only reads it.
    const offres = defineAsset({
      key: "raw/offres",
      partitions: dailyPartitions({ start: "2024-05-23" }),
      async materialize(ctx) {
        const target = file(ctx.partitionKey!);
        if (ctx.runTags.source !== "file") await writeFile(target, '{"id":"collected"}\n');
        return {
          metadata: {
            source: ctx.runTags.source ?? "api",
            file_version: fileVersion(await stat(target)),
          },
        };
      },
    });
    defs = Definitions.create({
      assets: [offres],
      sensors: [offresFilesSensor({ dataDir: () => dataDir, intervalMs: 0 })],
    }) as Definitions<unknown>;
  });

  it("queues one run per new or changed file, none for an unchanged one", async () => {
    const s = scheduler(defs);
    await writeFile(file("2024-08-01"), '{"id":"1"}\n');
    const first = await s.evaluate(at("2024-09-01T12:00:00Z"));
    expect(first.sensors[0]).toMatchObject({ status: "SUCCESS" });
    let runs = await sensorRuns();
    expect(runs.map((r) => [r.status, r.selection, r.partition_spec, r.tags])).toEqual([
      [
        "QUEUED",
        "raw/offres",
        { kind: "single", key: "2024-08-01" },
        { source: "file", trigger: "sensor", sensor: "offres_fichiers" },
      ],
    ]);
    expect((await storage.getRun(runs[0]!.id))?.launchedBy).toEqual({
      kind: "sensor",
      detail: "offres_fichiers",
    });

    // Unchanged: nothing (from another scheduler as well).
    await s.evaluate(at("2024-09-01T12:00:05Z"));
    await scheduler(defs).evaluate(at("2024-09-01T12:00:06Z"));
    expect(await sensorRuns()).toHaveLength(1);

    // Changed (a line more, a later modification time): one more run.
    await appendFile(file("2024-08-01"), '{"id":"2"}\n');
    await utimes(file("2024-08-01"), new Date(), new Date(Date.now() + 5_000));
    await s.evaluate(at("2024-09-01T12:00:10Z"));
    runs = await sensorRuns();
    expect(runs).toHaveLength(2);
    expect(runs[1]!.id).not.toBe(runs[0]!.id);

    const history = await sql.query<{ status: string; run_ids: string[] }>(
      "SELECT status, run_ids FROM lignee.sensor_ticks WHERE sensor = 'offres_fichiers' ORDER BY id",
    );
    expect(history.rows.map((r) => [r.status, r.run_ids.length])).toEqual([
      ["SUCCESS", 1],
      ["SKIPPED", 0],
      ["SKIPPED", 0],
      ["SUCCESS", 1],
    ]);
  });

  it("the run it queues loads the file as it is: the asset sees source=file", async () => {
    const [queued] = await sensorRuns();
    const request = { selection: queued!.selection, partitions: queued!.partition_spec };
    const prepared = prepareRun(defs, request, new Date());
    const result = await executeRun({ definitions: defs, storage, prepared, tags: queued!.tags });
    expect(result.outcome).toBe("SUCCESS");
    const [m] = await storage.listMaterializations("raw/offres", { limit: 1 });
    expect(m!.metadata).toMatchObject({ source: "file" });
  });

  it("leaves alone the files a collection writes and loads, and waits for days being collected", async () => {
    const s = scheduler(defs);
    // A collection run writes 2024-08-02 and loads it: nothing for the sensor to do.
    const prepared = prepareRun(
      defs,
      { selection: "raw/offres", partitions: { kind: "single", key: "2024-08-02" } },
      new Date(),
    );
    expect((await executeRun({ definitions: defs, storage, prepared })).outcome).toBe("SUCCESS");
    // A collection of 2024-08-03 is queued; its file appears before the run has loaded it.
    const store = PostgresAutomationStore.connect(url);
    stores.push(store);
    await store.queueRun({
      id: "6b0a1c8e-0000-4000-8000-000000000003",
      selection: "raw/offres",
      assetKeys: ["raw/offres"],
      partitions: { kind: "single", key: "2024-08-03" },
      tags: {},
      pools: [],
      launchedBy: { kind: "sensor", detail: "raw_files" },
    });
    await writeFile(file("2024-08-03"), '{"id":"3"}\n');
    const before = (await sensorRuns()).length;
    await s.evaluate(at("2024-09-01T12:01:00Z"));
    expect((await sensorRuns()).length).toBe(before);

    // The collection failed after writing the file: the sensor now loads it.
    await sql.query("UPDATE lignee.runs SET status = 'FAILURE' WHERE id = $1", [
      "6b0a1c8e-0000-4000-8000-000000000003",
    ]);
    await s.evaluate(at("2024-09-01T12:02:00Z"));
    const runs = await sensorRuns();
    expect(runs.slice(before).map((r) => r.partition_spec)).toEqual([
      { kind: "single", key: "2024-08-03" },
    ]);
  });
});

describe("eager automation", () => {
  it("queues one run for the chain downstream of a new upstream partition, once", async () => {
    const db = await createTestDatabase();
    const local = PostgresStorage.connect(db);
    const store = PostgresAutomationStore.connect(db);
    stores.push(store);
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      const defs = Definitions.create({
        assets: example.assets.map((a) =>
          a.key === "staging/events_clean" || a.key === "marts/summary"
            ? { ...a, automation: "eager" as const }
            : a,
        ),
      }) as Definitions<unknown>;
      const s = new Scheduler({ definitions: defs, storage: local, store, log: () => undefined });
      const materialize = async (selection: string, partitions: PartitionRequest) => {
        const prepared = prepareRun(defs, { selection, partitions }, new Date());
        expect((await executeRun({ definitions: defs, storage: local, prepared })).outcome).toBe(
          "SUCCESS",
        );
      };
      await materialize("ref/countries", { kind: "none" });
      expect((await s.evaluate()).eager).toMatchObject({ status: "SKIPPED" });

      await materialize("raw/events", { kind: "single", key: "2024-08-01" });
      const report = await s.evaluate();
      expect(report.eager).toMatchObject({
        status: "SUCCESS",
        message: "staging/events_clean,marts/summary [2024-08-01]",
      });
      // Queued, not yet run: its assets are busy, nothing is asked again.
      await s.evaluate();
      await new Scheduler({
        definitions: defs,
        storage: local,
        store,
        log: () => undefined,
      }).evaluate();
      const runs = await client.query<RunRow>(
        "SELECT id, status, selection, partition_spec, tags FROM lignee.runs WHERE tags->>'trigger' = 'eager'",
      );
      expect(runs.rows.map((r) => [r.status, r.selection, r.partition_spec])).toEqual([
        ["QUEUED", "staging/events_clean,marts/summary", { kind: "single", key: "2024-08-01" }],
      ]);
      expect(runs.rows[0]!.id).toBe(report.eager!.runId);
      expect((await local.getRun(report.eager!.runId!))?.launchedBy).toEqual({
        kind: "eager",
        detail: null,
      });

      // Cancelled before it ran: the same request is not made again (nor reported as made)
      // until something upstream changes.
      await client.query("UPDATE lignee.runs SET status = 'CANCELED' WHERE id = $1", [
        runs.rows[0]!.id,
      ]);
      expect((await s.evaluate()).eager).toMatchObject({
        status: "SKIPPED",
        message: `already requested: run ${runs.rows[0]!.id} (canceled)`,
      });

      // Once the chain is built, everything is fresh: nothing more.
      await client.query("UPDATE lignee.runs SET status = 'SUCCESS' WHERE id = $1", [
        runs.rows[0]!.id,
      ]);
      await materialize("staging/events_clean,marts/summary", {
        kind: "single",
        key: "2024-08-01",
      });
      expect((await s.evaluate()).eager).toMatchObject({ status: "SKIPPED" });
      const history = await client.query<{ status: string; run_ids: string[] }>(
        "SELECT status, run_ids FROM lignee.sensor_ticks WHERE sensor = 'eager' ORDER BY id",
      );
      expect(history.rows.filter((r) => r.status === "SUCCESS")).toEqual([
        { status: "SUCCESS", run_ids: [runs.rows[0]!.id] },
      ]);
    } finally {
      await client.end();
      await local.close();
    }
  });
});
