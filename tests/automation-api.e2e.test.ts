import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AutomationBody,
  AutomationToggledBody,
  buildExampleDefinitions,
  createApp,
  dayBefore,
  defineSchedule,
  defineSensor,
  Definitions,
  openApiDocument,
  PostgresAutomationStore,
  PostgresStorage,
  Scheduler,
  ScheduleTicksBody,
  type App,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";

/** `/api/automation` through `app.request`, against a real PostgreSQL database. */
let storage: PostgresStorage;
let store: PostgresAutomationStore;
let api: App;
let scheduler: Scheduler;

const definitions = Definitions.create({
  assets: buildExampleDefinitions().assets.map((a) =>
    a.key === "staging/events_clean" ? { ...a, automation: "eager" as const } : a,
  ),
  schedules: [
    defineSchedule({
      name: "daily",
      cron: "0 1 * * *",
      selection: "raw/events+",
      partition: (at) => dayBefore(at),
      description: "J-1 every night",
    }),
  ],
  sensors: [
    defineSensor({
      name: "quiet",
      selection: "raw/events",
      intervalMs: 0,
      evaluate: () => ({ skipReason: "nothing to see", cursor: "c1" }),
    }),
  ],
}) as Definitions<unknown>;

beforeAll(async () => {
  const url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
  store = PostgresAutomationStore.connect(url);
  api = createApp({
    definitions,
    storage,
    automation: store,
    environment: { databaseUrl: url, home: "" },
  });
  scheduler = new Scheduler({ definitions, storage, store, log: () => undefined });
  await scheduler.evaluate(new Date("2025-03-29T12:00:00Z"));
  await scheduler.evaluate(new Date("2025-03-31T12:00:00Z"));
});

afterAll(async () => {
  await store.close();
  await storage.close();
});

const get = async (path: string): Promise<{ status: number; body: unknown }> => {
  const res = await api.app.request(path);
  return { status: res.status, body: await res.json() };
};
const post = async (path: string): Promise<{ status: number; body: unknown }> => {
  const res = await api.app.request(path, { method: "POST" });
  return { status: res.status, body: await res.json() };
};

/** The answers, parsed with the schemas the OpenAPI document is generated from. */
const overview = async () => AutomationBody.parse((await get("/api/automation")).body);
const tickTimes = async (query = ""): Promise<string[]> =>
  ScheduleTicksBody.parse(
    (await get(`/api/automation/schedules/daily/ticks${query}`)).body,
  ).ticks.map((t) => t.scheduledAt);
const toggle = async (path: string) => AutomationToggledBody.parse((await post(path)).body);

describe("GET /api/automation", () => {
  it("lists schedules with their next tick and latest ticks, sensors and eager assets", async () => {
    expect((await get("/api/automation")).status).toBe(200);
    const body = await overview();
    // The declared schedule, then the built-in maintenance schedule.
    expect(body.schedules.map((s) => s.name)).toEqual(["daily", "lignee_maintenance"]);
    expect(body.schedules[1]).toMatchObject({
      cron: "0 3 * * *",
      timezone: "Europe/Paris",
      selection: "maintenance",
      enabled: true,
    });
    const daily = body.schedules[0]!;
    expect(daily).toMatchObject({
      name: "daily",
      cron: "0 1 * * *",
      timezone: "Europe/Paris",
      selection: "raw/events+",
      description: "J-1 every night",
      enabled: true,
    });
    expect(new Date(daily.nextTickAt!).getTime()).toBeGreaterThan(Date.now());
    expect(daily.lastTicks.map((t) => t.scheduledAt)).toEqual([
      "2025-03-30T23:00:00.000Z",
      "2025-03-30T00:00:00.000Z",
    ]);
    expect(daily.lastTicks[0]).toMatchObject({ status: "SUCCESS", error: null });
    expect(daily.lastTicks[0]!.runId).toMatch(/^[0-9a-f-]{36}$/);

    expect(body.sensors).toEqual([
      expect.objectContaining({
        name: "quiet",
        enabled: true,
        cursor: "c1",
        intervalMs: 0,
        lastTicks: [
          expect.objectContaining({ status: "SKIPPED", message: "nothing to see", runIds: [] }),
          expect.objectContaining({ status: "SKIPPED" }),
        ],
      }),
    ]);
    expect(body.eager.assets).toEqual([{ key: "staging/events_clean", enabled: true }]);
    expect(body.eager.lastTicks[0]).toMatchObject({ status: "SKIPPED" });
  });

  it("answers what the OpenAPI document describes", () => {
    const doc = openApiDocument() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/automation",
        "/api/automation/schedules/{name}/ticks",
        "/api/automation/{kind}/{name}/enable",
        "/api/automation/{kind}/{name}/disable",
      ]),
    );
  });
});

describe("GET /api/automation/schedules/:name/ticks", () => {
  it("pages back through a schedule's ticks", async () => {
    expect((await get("/api/automation/schedules/daily/ticks")).status).toBe(200);
    expect(await tickTimes()).toHaveLength(2);
    expect(await tickTimes("?limit=1")).toEqual(["2025-03-30T23:00:00.000Z"]);
    expect(await tickTimes("?before=2025-03-30T23:00:00.000Z")).toEqual([
      "2025-03-30T00:00:00.000Z",
    ]);
  });

  it("400 for a bad query, 404 for an unknown schedule", async () => {
    expect(await get("/api/automation/schedules/daily/ticks?limit=0")).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/limit/) },
    });
    expect(await get("/api/automation/schedules/daily/ticks?before=yesterday")).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/before is an ISO 8601 instant/) },
    });
    expect(await get("/api/automation/schedules/nope/ticks")).toEqual({
      status: 404,
      body: { error: 'unknown schedule "nope"' },
    });
    // A huge name is not echoed whole.
    const huge = await get(`/api/automation/schedules/${"n".repeat(10_000)}/ticks`);
    expect(huge.status).toBe(404);
    expect(JSON.stringify(huge.body).length).toBeLessThan(300);
    const toggled = await post(`/api/automation/sensor/${"s".repeat(10_000)}/enable`);
    expect(toggled.status).toBe(404);
    expect(JSON.stringify(toggled.body).length).toBeLessThan(300);
  });
});

describe("POST /api/automation/:kind/:name/enable|disable", () => {
  it("switches a schedule off (no ticks while off) and on again (from now, no catch-up)", async () => {
    expect(await post("/api/automation/schedule/daily/disable")).toEqual({
      status: 200,
      body: { kind: "schedule", name: "daily", enabled: false },
    });
    expect((await overview()).schedules[0]).toMatchObject({ enabled: false, nextTickAt: null });
    await scheduler.evaluate(new Date("2025-04-02T12:00:00Z"));
    expect(await tickTimes()).toHaveLength(2);

    expect((await toggle("/api/automation/schedule/daily/enable")).enabled).toBe(true);
    // Switched on now (real time): the ticks of April 2025 it missed are not launched.
    await scheduler.evaluate(new Date());
    expect(await tickTimes()).toHaveLength(2);
  });

  it("switches a sensor and an eager asset (key with slashes)", async () => {
    expect(await toggle("/api/automation/sensor/quiet/disable")).toEqual({
      kind: "sensor",
      name: "quiet",
      enabled: false,
    });
    expect(await toggle("/api/automation/eager/staging/events_clean/disable")).toEqual({
      kind: "eager",
      name: "staging/events_clean",
      enabled: false,
    });
    const body = await overview();
    expect(body.sensors[0]!.enabled).toBe(false);
    expect(body.eager.assets).toEqual([{ key: "staging/events_clean", enabled: false }]);
    const report = await scheduler.evaluate(new Date());
    expect(report.sensors[0]).toMatchObject({ enabled: false });
    expect(report.eager).toMatchObject({
      status: "SKIPPED",
      message: "eager automation is switched off on every asset",
    });
    expect((await toggle("/api/automation/eager/staging/events_clean/enable")).enabled).toBe(true);
  });

  it("400 for an unknown kind, 404 for an unknown name", async () => {
    expect(await post("/api/automation/job/daily/enable")).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/kind is schedule, sensor or eager/) },
    });
    expect(await post("/api/automation/schedule/nope/enable")).toEqual({
      status: 404,
      body: { error: 'unknown schedule "nope"' },
    });
    expect(await post("/api/automation/eager/raw/events/disable")).toEqual({
      status: 404,
      body: { error: 'unknown eager asset "raw/events"' },
    });
    expect((await post("/api/automation/schedule/daily/pause")).status).toBe(404);
  });

  it("404 when the server has no automation store", async () => {
    const bare = createApp({
      definitions,
      storage,
      environment: { databaseUrl: "", home: "" },
    });
    const res = await bare.app.request("/api/automation");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "automation is not available on this server" });
  });
});
