import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import type { AutomationStore, QueuedRun } from "./automation-store";
import { PostgresAutomationStore } from "./postgres-automation-store";
import { automationRunId } from "./run-id";

/** The automation store against a real PostgreSQL server (embedded, or DATABASE_URL). */
let store: AutomationStore;
let other: AutomationStore;
let sql: pg.Client;

beforeAll(async () => {
  const url = await createTestDatabase();
  store = PostgresAutomationStore.connect(url);
  // A second connection pool, as a second scheduler process would have.
  other = PostgresAutomationStore.connect(url);
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});

afterAll(async () => {
  await sql.end();
  await store.close();
  await other.close();
});

const run = (id: string, extra: Partial<QueuedRun> = {}): QueuedRun => ({
  id,
  selection: "raw/events+",
  assetKeys: ["raw/events", "staging/events_clean"],
  partitions: { kind: "single", key: "2024-08-01" },
  tags: { trigger: "schedule" },
  pools: [],
  launchedBy: { kind: "schedule", detail: "events_daily" },
  ...extra,
});

const at = (text: string): Date => new Date(text);

describe("automation state", () => {
  it("creates a state once, enabled, and keeps the first cursor", async () => {
    const [a, b] = await Promise.all([
      store.ensureState("schedule", "daily", "2025-03-01T00:00:00.000Z"),
      other.ensureState("schedule", "daily", "2025-03-02T00:00:00.000Z"),
    ]);
    expect(a.cursor).toBe(b.cursor);
    expect(a).toMatchObject({ kind: "schedule", name: "daily", enabled: true });
    expect((await store.ensureState("schedule", "daily", "later")).cursor).toBe(a.cursor);
  });

  it("switches off and on; a schedule switched on starts again from now", async () => {
    await store.ensureState("schedule", "weekly", "2025-01-01T00:00:00.000Z");
    const off = await store.setEnabled("schedule", "weekly", false, at("2025-02-01T00:00:00Z"));
    expect(off).toMatchObject({ enabled: false, cursor: "2025-01-01T00:00:00.000Z" });
    const on = await store.setEnabled("schedule", "weekly", true, at("2025-03-01T00:00:00Z"));
    expect(on).toMatchObject({ enabled: true, cursor: "2025-03-01T00:00:00.000Z" });
    // Switching on what is already on changes nothing.
    const again = await store.setEnabled("schedule", "weekly", true, at("2025-04-01T00:00:00Z"));
    expect(again.cursor).toBe("2025-03-01T00:00:00.000Z");
    // A sensor keeps its cursor; a state that did not exist is created.
    await store.setEnabled("sensor", "files", false, at("2025-04-01T00:00:00Z"));
    expect(await store.ensureState("sensor", "files", null)).toMatchObject({
      enabled: false,
      cursor: null,
    });
    expect((await store.listStates()).map((s) => `${s.kind}:${s.name}`)).toEqual(
      expect.arrayContaining(["schedule:daily", "schedule:weekly", "sensor:files"]),
    );
  });
});

describe("schedule ticks", () => {
  it("records a tick once per scheduled instant, whoever records it", async () => {
    const scheduledAt = at("2025-03-30T00:00:00Z");
    const tick = {
      schedule: "ticks",
      scheduledAt,
      status: "STARTED" as const,
      runId: automationRunId(["schedule", "ticks", scheduledAt.toISOString()]),
    };
    const [a, b] = await Promise.all([
      store.insertScheduleTicks([tick]),
      other.insertScheduleTicks([tick]),
    ]);
    expect(a.length + b.length).toBe(1);
    expect(await store.startedScheduleTicks("ticks")).toHaveLength(1);

    await store.finishScheduleTick("ticks", scheduledAt, "SUCCESS");
    // A finished tick does not move again.
    await other.finishScheduleTick("ticks", scheduledAt, "FAILURE", "late");
    expect(await store.latestScheduleTick("ticks")).toMatchObject({
      status: "SUCCESS",
      runId: tick.runId,
      error: null,
      scheduledAt,
    });
    expect(await store.startedScheduleTicks("ticks")).toEqual([]);
  });

  it("inserts several ticks at once and lists them newest first", async () => {
    const days = ["2025-03-20", "2025-03-21", "2025-03-22"].map((d) => at(`${d}T00:00:00Z`));
    const inserted = await store.insertScheduleTicks(
      days.map((d) => ({
        schedule: "many",
        scheduledAt: d,
        status: "SKIPPED" as const,
        runId: null,
        error: "missed",
      })),
    );
    expect(inserted.map((t) => t.scheduledAt)).toEqual(days);
    const listed = await store.listScheduleTicks("many", { limit: 2 });
    expect(listed.map((t) => t.scheduledAt)).toEqual([days[2], days[1]]);
    const before = await store.listScheduleTicks("many", { before: days[1] });
    expect(before.map((t) => t.scheduledAt)).toEqual([days[0]]);
  });
});

describe("queued runs", () => {
  it("creates a run once per id and lists it as active", async () => {
    const id = automationRunId(["test", "queue-once"]);
    const queued = run(id, { maxAttempts: 3, pools: ["france_travail"] });
    const created = await Promise.all([store.queueRun(queued), other.queueRun(queued)]);
    expect(created.filter(Boolean)).toHaveLength(1);
    const rows = await sql.query(
      "SELECT status, tags, partition_spec, pools, max_attempts FROM lignee.runs WHERE id = $1",
      [id],
    );
    expect(rows.rows).toEqual([
      {
        status: "QUEUED",
        tags: { trigger: "schedule" },
        partition_spec: { kind: "single", key: "2024-08-01" },
        pools: ["france_travail"],
        max_attempts: 3,
      },
    ]);
    const active = await store.activeRuns();
    expect(active.find((r) => r.id === id)).toEqual({
      id,
      status: "QUEUED",
      assetKeys: ["raw/events", "staging/events_clean"],
      partitions: { kind: "single", key: "2024-08-01" },
      tags: { trigger: "schedule" },
    });
    await sql.query("UPDATE lignee.runs SET status = 'SUCCESS' WHERE id = $1", [id]);
    expect((await store.activeRuns()).some((r) => r.id === id)).toBe(false);
  });

  it("tells the latest materialisation id", async () => {
    expect(await store.latestMaterializationId()).toBe(0);
  });
});

describe("sensor ticks", () => {
  it("queues runs, moves the cursor and records the tick in one transaction", async () => {
    await store.ensureState("sensor", "cursor", null);
    const id = automationRunId(["sensor", "cursor", "a"]);
    const ok = await store.recordSensorTick({
      sensor: "cursor",
      status: "SUCCESS",
      message: null,
      cursor: "1",
      runs: [run(id)],
      cursorUpdate: { kind: "sensor", name: "cursor", expected: null, next: "1" },
    });
    expect(ok).toBe(true);
    expect((await store.ensureState("sensor", "cursor", null)).cursor).toBe("1");

    // A second scheduler that read the old cursor writes nothing: no tick, no run.
    const late = automationRunId(["sensor", "cursor", "late"]);
    const stale = await other.recordSensorTick({
      sensor: "cursor",
      status: "SUCCESS",
      message: null,
      cursor: "1'",
      runs: [run(late)],
      cursorUpdate: { kind: "sensor", name: "cursor", expected: null, next: "1'" },
    });
    expect(stale).toBe(false);
    const runs = await sql.query("SELECT id FROM lignee.runs WHERE id = ANY($1)", [[id, late]]);
    expect(runs.rows).toEqual([{ id }]);
    const ticks = await store.listSensorTicks("cursor");
    expect(ticks).toHaveLength(1);
    expect(ticks[0]).toMatchObject({ status: "SUCCESS", cursor: "1", runIds: [id] });
  });

  it("keeps the latest SKIPPED evaluations only", async () => {
    for (let i = 0; i < 205; i++) {
      await store.recordSensorTick({
        sensor: "quiet",
        status: "SKIPPED",
        message: `nothing ${i}`,
        cursor: null,
        runs: [],
      });
    }
    const ticks = await store.listSensorTicks("quiet", { limit: 1000 });
    expect(ticks).toHaveLength(200);
    expect(ticks[0]!.message).toBe("nothing 204");
  });
});

describe("exclusive work", () => {
  it("lets one process at a time do work under a name; the other skips instead of waiting", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = store.exclusively("sensor s", async () => {
      await held;
      return "first";
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(await other.exclusively("sensor s", async () => "second")).toBeUndefined();
    expect(await other.exclusively("sensor t", async () => "another name")).toBe("another name");
    release();
    expect(await first).toBe("first");
    expect(await other.exclusively("sensor s", async () => "after")).toBe("after");
  });
});
