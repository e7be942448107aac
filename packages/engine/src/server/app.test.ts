import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { defineAsset } from "../definitions/asset";
import { Definitions } from "../definitions/definitions";
import { retryPolicy } from "../definitions/retry-policy";
import { buildExampleDefinitions, type ExampleOverrides } from "../examples/example-definitions";
import { dayIn, formatDateKey } from "../partitions/calendar";
import { PostgresStorage } from "../storage/postgres-storage";
import { createApp, type App } from "./app";
import {
  AssetDetailBody,
  AssetGraphBody,
  MaterializationsBody,
  RunDetailBody,
  RunsBody,
} from "./schemas";

const examples = (overrides?: ExampleOverrides): Definitions<unknown> =>
  buildExampleDefinitions(overrides) as Definitions<unknown>;

/** The API through `app.request`, against real PostgreSQL and the example definitions. */
let storage: PostgresStorage;
let api: App;
let slow: App;

beforeAll(async () => {
  storage = PostgresStorage.connect(await createTestDatabase());
  const environment = { databaseUrl: "", home: "" };
  api = createApp({ definitions: examples(), storage, environment, pollMs: 50 });
  // Same database, slow assets: a run that stays STARTED long enough to be cancelled.
  slow = createApp({
    definitions: examples({ delayMs: 5_000 }),
    storage,
    environment,
    pollMs: 50,
  });
});

afterAll(async () => {
  await api.runs.stopAll();
  await slow.runs.stopAll();
  await storage.close();
});

const get = (app: App, path: string): Response | Promise<Response> => app.app.request(path);
const post = (app: App, path: string, body?: unknown): Response | Promise<Response> =>
  app.app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });

async function waitForRun(id: string, done = ["SUCCESS", "FAILURE", "CANCELED"]): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const run = await storage.getRun(id);
    if (run && done.includes(run.status)) return run.status;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${id} did not finish`);
}

async function startRun(app: App, body: unknown): Promise<string> {
  const res = await post(app, "/api/runs", body);
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { runId: string }).runId;
}

describe("assets", () => {
  it("lists the graph with statuses, counts and edges", async () => {
    const res = await get(api, "/api/assets");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      nodes: { key: string; status: string; counts: Record<string, number> }[];
      edges: { from: string; to: string }[];
    };
    expect(body.nodes.map((n) => n.key)).toEqual(
      expect.arrayContaining([
        "raw/events",
        "staging/events_clean",
        "ref/countries",
        "marts/summary",
      ]),
    );
    expect(body.edges).toContainEqual({ from: "raw/events", to: "staging/events_clean" });
    expect(body.nodes.find((n) => n.key === "ref/countries")?.counts).toHaveProperty("MISSING");
  });

  it("shows one asset whose key contains a slash, with materialisations and ranges", async () => {
    const runId = await startRun(api, { selection: "raw/events", partition: "2024-08-01" });
    expect(await waitForRun(runId)).toBe("SUCCESS");
    const res = await get(api, "/api/assets/raw/events");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      key: string;
      dependents: string[];
      partitions: string;
      partitionKeys: string[];
      total: number;
      ranges: Record<string, [string, string][]>;
      materializations: { runId: string; partitionKey: string; metadata: unknown }[];
    };
    expect(body.key).toBe("raw/events");
    expect(body.dependents).toEqual(["staging/events_clean"]);
    expect(body.partitions).toMatch(/^daily from 2024-05-23/);
    // Every partition that exists now, in order: from the start to yesterday in Paris.
    const yesterday = formatDateKey(dayIn("Europe/Paris", new Date()) - 1);
    expect(body.partitionKeys.slice(0, 3)).toEqual(["2024-05-23", "2024-05-24", "2024-05-25"]);
    expect(body.partitionKeys.at(-1)).toBe(yesterday);
    expect(body.partitionKeys).toHaveLength(body.total);
    expect(body.partitionKeys).toContain("2024-08-01");
    const countries = (await (await get(api, "/api/assets/ref/countries")).json()) as {
      partitionKeys: string[];
    };
    expect(countries.partitionKeys).toEqual([]);
    expect(body.ranges.FRESH).toEqual([["2024-08-01", "2024-08-01"]]);
    expect(body.materializations[0]).toMatchObject({
      runId,
      partitionKey: "2024-08-01",
      metadata: { rows: 100 },
    });
    // The downstream asset now reads missing data: its cause is spelled out.
    const staging = (await (await get(api, "/api/assets/staging/events_clean")).json()) as {
      status: string;
    };
    expect(staging.status).toBe("MISSING");
  });

  it("answers 404 for an unknown asset", async () => {
    const res = await get(api, "/api/assets/raw/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Unknown asset "raw/nope"' });
  });
});

describe("runs", () => {
  it("refuses bad input with 400 and creates no run", async () => {
    const before = (await storage.listRuns({ limit: 500 })).length;
    const cases: unknown[] = [
      { selection: "raw/nope" },
      { selection: "raw/events", partition: "2024-02-30" },
      { selection: "raw/events", partition: "2024-08-01", from: "2024-08-01", to: "2024-08-02" },
      { selection: "raw/events", from: "2024-08-01" },
      { selection: "raw/events" },
      { selection: "" },
      { selection: "ref/countries,," },
      { selection: 42 },
      { selection: "raw/events", partition: "2024-08-01", extra: true },
      { selection: "raw/events", stale: true, partition: "2024-08-01" },
      { selection: "raw/events", stale: true, from: "2024-08-01" },
      { selection: "raw/events", stale: "yes" },
      "not json",
    ];
    for (const body of cases) {
      const res = await post(api, "/api/runs", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const answer = (await res.json()) as { error: string };
      expect(Object.keys(answer)).toEqual(["error"]);
      expect(answer.error).not.toContain("\n");
    }
    expect((await storage.listRuns({ limit: 500 })).length).toBe(before);
  });

  it("quotes at most the start of a huge value in its error, with the value's length", async () => {
    const huge = "9".repeat(10_000);
    const bodies: unknown[] = [
      { selection: "raw/events", partition: huge },
      { selection: "raw/events", from: huge, to: "2024-08-01" },
      { selection: "raw/events", from: "2024-08-02", to: `2024-08-01${huge}` },
      { selection: `raw/${huge}` },
      { selection: `group:${huge}` },
      { selection: `raw/events,${huge}*` },
      { selection: `tag:${huge}` },
      { selection: `raw/events,,${huge}` },
      // An unknown field's name is quoted by the validation message.
      { selection: "raw/events", [huge]: 1 },
    ];
    const answers: Response[] = [];
    for (const body of bodies) answers.push(await post(api, "/api/runs", body));
    answers.push(await get(api, `/api/assets/${huge}`));
    answers.push(await get(api, `/api/runs?asset=${huge}`));
    answers.push(await get(api, `/api/runs/${huge}`));
    answers.push(await get(api, `/api/${huge}`));
    answers.push(await api.app.request(`/api/runs/${huge}/cancel`, { method: "GET" }));
    for (const [i, res] of answers.entries()) {
      expect(res.status, `case ${i}`).toBeGreaterThanOrEqual(400);
      const { error } = (await res.json()) as { error: string };
      expect(error.length, `case ${i}: ${error.slice(0, 300)}`).toBeLessThan(300);
      expect(error, `case ${i}`).toMatch(/…"? \(\d+ characters\)/);
    }
  });

  it("starts a run, lists it and summarises its steps", async () => {
    const runId = await startRun(api, { selection: "ref/countries" });
    expect(await waitForRun(runId)).toBe("SUCCESS");
    const list = (await (await get(api, "/api/runs?limit=5")).json()) as { runs: { id: string }[] };
    expect(list.runs.map((r) => r.id)).toContain(runId);
    const res = await get(api, `/api/runs/${runId}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      run: { status: string; selection: string };
      steps: { key: string; status: string; attempts: number }[];
    };
    expect(body.run).toMatchObject({ status: "SUCCESS", selection: "ref/countries" });
    expect(body.steps).toEqual([
      expect.objectContaining({ key: "ref/countries", status: "SUCCESS", attempts: 1 }),
    ]);
  });

  it("filters runs by asset: only the runs whose assets include it; unknown asset 404", async () => {
    const countries = await startRun(api, { selection: "ref/countries" });
    const events = await startRun(api, { selection: "raw/events+", partition: "2024-08-04" });
    expect(await waitForRun(countries)).toBe("SUCCESS");
    expect(await waitForRun(events)).toBe("SUCCESS");
    const list = async (query: string): Promise<{ id: string; assetKeys: string[] }[]> => {
      const res = await get(api, `/api/runs?${query}`);
      expect(res.status, query).toBe(200);
      return RunsBody.parse(await res.json()).runs;
    };
    const summaries = await list("asset=marts/summary&limit=500");
    expect(summaries.map((r) => r.id)).toContain(events);
    expect(summaries.map((r) => r.id)).not.toContain(countries);
    expect(summaries.every((r) => r.assetKeys.includes("marts/summary"))).toBe(true);
    const refs = await list("asset=ref/countries&status=SUCCESS&limit=1");
    expect(refs.map((r) => r.id)).toEqual([countries]);
    const unknown = await get(api, "/api/runs?asset=raw/nope");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'Unknown asset "raw/nope"' });
    expect((await get(api, "/api/runs?asset=")).status).toBe(400);
  });

  it("answers 400 for a bad query and 404 for unknown or malformed run ids", async () => {
    expect((await get(api, "/api/runs?limit=0")).status).toBe(400);
    expect((await get(api, "/api/runs?status=DONE")).status).toBe(400);
    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const path of [
      `/api/runs/${unknown}`,
      "/api/runs/not-a-uuid",
      `/api/runs/${unknown}/events`,
    ]) {
      const res = await get(api, path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: string }).error).toMatch(/^Unknown run/);
    }
    expect((await post(api, `/api/runs/${unknown}/cancel`)).status).toBe(404);
    expect((await post(api, `/api/runs/${unknown}/reexecute`)).status).toBe(404);
  });

  it("cancels a running run (CANCELED), then refuses to cancel it again (409)", async () => {
    const runId = await startRun(slow, { selection: "ref/countries" });
    const res = await post(slow, `/api/runs/${runId}/cancel`);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ runId, status: "CANCELING" });
    expect(await waitForRun(runId)).toBe("CANCELED");
    const again = await post(slow, `/api/runs/${runId}/cancel`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toMatch(/already finished/);
  });

  it("re-executes a run with the same selection and partitions", async () => {
    const first = await startRun(api, {
      selection: "raw/events",
      from: "2024-08-02",
      to: "2024-08-03",
    });
    expect(await waitForRun(first)).toBe("SUCCESS");
    const res = await post(api, `/api/runs/${first}/reexecute`);
    expect(res.status).toBe(201);
    const { runId } = (await res.json()) as { runId: string };
    expect(runId).not.toBe(first);
    expect(await waitForRun(runId)).toBe("SUCCESS");
    const run = await storage.getRun(runId);
    expect(run).toMatchObject({
      selection: "raw/events",
      partitionSpec: { kind: "range", from: "2024-08-02", to: "2024-08-03" },
      tags: { reexecutionOf: first },
      launchedBy: { kind: "reexecution", detail: first },
    });
    expect((await storage.getRun(first))?.launchedBy).toEqual({ kind: "api", detail: null });
    const listed = RunsBody.parse(await (await get(api, "/api/runs")).json()).runs;
    expect(listed.find((r) => r.id === runId)?.launchedBy).toEqual({
      kind: "reexecution",
      detail: first,
    });
  });

  it("streams a finished run's events over SSE and ends", async () => {
    const runId = await startRun(api, { selection: "ref/countries" });
    expect(await waitForRun(runId)).toBe("SUCCESS");
    const res = await get(api, `/api/runs/${runId}/events`);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text).toContain('"type":"RUN_START"');
    expect(text).toContain('"type":"RUN_SUCCESS"');
    expect(text).toMatch(/event: end\ndata: \{"status":"SUCCESS"\}/);
    // A reconnecting EventSource resumes after the last event it saw.
    const firstId = /^id: (\d+)$/m.exec(text)?.[1];
    const resumed = await api.app.request(`/api/runs/${runId}/events`, {
      headers: { "last-event-id": firstId ?? "" },
    });
    const rest = await resumed.text();
    expect(rest).not.toContain('"type":"RUN_START"');
    expect(rest).toContain('"type":"RUN_SUCCESS"');
  });
});

describe("definitions", () => {
  it("of an app made with fixed definitions: shown, not reloadable (409)", async () => {
    const res = await get(api, "/api/definitions");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      version: "fixed",
      reloadable: false,
      assets: examples().assets.length,
      error: null,
    });
    const reload = await post(api, "/api/definitions/reload");
    expect(reload.status).toBe(409);
    expect(await reload.json()).toEqual({
      error: "this server's definitions are fixed: it has no module to load them from",
    });
  });
});

describe("openapi.json", () => {
  it("describes every endpoint", async () => {
    const res = await get(api, "/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/account/password",
      "/api/alerts/channels",
      "/api/alerts/deliveries",
      "/api/alerts/deliveries/{eventId}/{channel}/retry",
      "/api/alerts/test",
      "/api/assets",
      "/api/assets/{key}",
      "/api/assets/{key}/checks",
      "/api/assets/{key}/checks/{name}",
      "/api/assets/{key}/checks/{name}/history",
      "/api/assets/{key}/materializations",
      "/api/assets/{key}/partitions/{partition}",
      "/api/audit",
      "/api/automation",
      "/api/automation/schedules/{name}/ticks",
      "/api/automation/{kind}/{name}/disable",
      "/api/automation/{kind}/{name}/enable",
      "/api/backfills",
      "/api/backfills/{id}",
      "/api/backfills/{id}/cancel",
      "/api/checks/run",
      "/api/definitions",
      "/api/definitions/reload",
      "/api/health",
      "/api/openapi.json",
      "/api/operations",
      "/api/operations/maintenance",
      "/api/operations/maintenance/preview",
      "/api/partitions",
      "/api/partitions/{name}/keys",
      "/api/partitions/{name}/keys/{key}",
      "/api/runs",
      "/api/runs/{id}",
      "/api/runs/{id}/cancel",
      "/api/runs/{id}/events",
      "/api/runs/{id}/reexecute",
      "/api/session",
      "/api/tokens",
      "/api/tokens/{id}",
      "/api/users",
      "/api/users/{name}/disable",
      "/api/users/{name}/enable",
      "/api/users/{name}/password",
      "/api/users/{name}/role",
      "/metrics",
    ]);
    expect(Object.keys(doc.paths["/api/runs"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(doc.components.schemas).toHaveProperty("RunRequest");
    expect(doc.components.schemas).toHaveProperty("AssetGraph");
    expect(doc.components.schemas).toHaveProperty("MaterializationList");
    const request = doc.components.schemas.RunRequest as { properties: Record<string, unknown> };
    expect(request.properties.stale).toMatchObject({ type: "boolean" });
    // Every reference resolves to a component.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const id = /#\/components\/schemas\/([^"]+)"/.exec(ref)?.[1];
      expect(doc.components.schemas, ref).toHaveProperty(id ?? "?");
    }
  });

  it("documents both messages of the event stream: run-event, then end with the status", async () => {
    const doc = (await (await get(api, "/api/openapi.json")).json()) as {
      paths: Record<string, { get: { responses: Record<string, unknown> } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const ok = doc.paths["/api/runs/{id}/events"]?.get.responses["200"] as {
      content: Record<string, { schema: { oneOf?: Record<string, unknown>[] } }>;
    };
    const messages = ok.content["text/event-stream"]?.schema.oneOf ?? [];
    expect(messages).toHaveLength(2);
    const byEvent = new Map(
      messages.map((m) => {
        const props = (m as { properties: Record<string, { const?: string }> }).properties;
        return [props.event?.const, props] as const;
      }),
    );
    expect(byEvent.get("run-event")?.data).toMatchObject({
      contentMediaType: "application/json",
      contentSchema: { $ref: "#/components/schemas/RunEvent" },
    });
    expect(byEvent.get("end")?.data).toMatchObject({
      contentMediaType: "application/json",
      contentSchema: { $ref: "#/components/schemas/RunStreamEnd" },
    });
    expect(doc.components.schemas.RunStreamEnd?.properties?.status).toMatchObject({
      enum: ["SUCCESS", "FAILURE", "CANCELED"],
    });
  });

  it("documents the answers truthfully (they parse with the documented schemas)", async () => {
    AssetGraphBody.parse(await (await get(api, "/api/assets")).json());
    AssetDetailBody.parse(await (await get(api, "/api/assets/raw/events")).json());
    MaterializationsBody.parse(
      await (await get(api, "/api/assets/raw/events/materializations")).json(),
    );
    const runs = RunsBody.parse(await (await get(api, "/api/runs")).json());
    const id = runs.runs[0]?.id;
    expect(id).toBeDefined();
    RunDetailBody.parse(await (await get(api, `/api/runs/${id}`)).json());
  });
});

describe("methods", () => {
  const uuid = "00000000-0000-4000-8000-000000000000";
  const send = (method: string, path: string): Response | Promise<Response> =>
    api.app.request(path, { method });

  it("answers 405 with Allow for a method a known path does not support", async () => {
    const cases: [string, string, string][] = [
      ["DELETE", "/api/runs", "GET, HEAD, POST"],
      ["PUT", "/api/assets/raw/events", "GET, HEAD"],
      ["POST", "/api/assets/raw/events/materializations", "GET, HEAD"],
      ["GET", `/api/runs/${uuid}/cancel`, "POST"],
      ["DELETE", `/api/runs/${uuid}`, "GET, HEAD"],
      ["PATCH", "/api/backfills", "GET, HEAD, POST"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await send(method, path);
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("allow"), `${method} ${path}`).toBe(allow);
      expect(await res.json()).toEqual({
        error: `method ${method} is not allowed on ${path} (allowed: ${allow})`,
      });
    }
  });

  it("keeps 404 for paths that do not exist, whatever the method", async () => {
    for (const [method, path] of [
      ["GET", "/api/nope"],
      ["DELETE", "/api/nope"],
      ["POST", `/api/runs/${uuid}/nope`],
      ["DELETE", "/api/runs/a/b/c"],
    ] as const) {
      const res = await send(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get("allow")).toBeNull();
    }
  });
});

describe("token", () => {
  it("requires the bearer token on every /api call when one is configured", async () => {
    const locked = createApp({
      definitions: examples(),
      storage,
      environment: { databaseUrl: "", home: "" },
      token: "s3cret",
    });
    for (const path of ["/api/assets", "/api/openapi.json", "/api/runs"]) {
      const res = await locked.app.request(path);
      expect(res.status, path).toBe(401);
      expect(await res.json()).toEqual({ error: "missing or invalid bearer token" });
    }
    const wrong = await locked.app.request("/api/assets", {
      headers: { authorization: "Bearer nope" },
    });
    expect(wrong.status).toBe(401);
    const before = (await storage.listRuns({ limit: 500 })).length;
    expect((await post(locked, "/api/runs", { selection: "ref/countries" })).status).toBe(401);
    expect((await storage.listRuns({ limit: 500 })).length).toBe(before);
    const ok = await locked.app.request("/api/assets", {
      headers: { authorization: "Bearer s3cret" },
    });
    expect(ok.status).toBe(200);
  });

  it("takes the Bearer scheme in any case; every 401 says how to authenticate", async () => {
    const locked = createApp({
      definitions: examples(),
      storage,
      environment: { databaseUrl: "", home: "" },
      token: "s3cret",
    });
    const call = (authorization?: string): Response | Promise<Response> =>
      locked.app.request("/api/assets", {
        headers: authorization === undefined ? {} : { authorization },
      });
    for (const authorization of [
      "Bearer s3cret",
      "bearer s3cret",
      "BEARER s3cret",
      "BeArEr s3cret",
    ]) {
      expect((await call(authorization)).status, authorization).toBe(200);
    }
    for (const authorization of [
      undefined,
      "",
      "Bearer",
      "Bearer S3CRET",
      "Bearer s3cret2",
      "Basic s3cret",
      "Bearers3cret",
      "s3cret",
    ]) {
      const res = await call(authorization);
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get("www-authenticate"), String(authorization)).toBe(
        'Bearer realm="lignee"',
      );
    }
  });

  it("serves a text page at / when the UI is not built", async () => {
    const res = await get(api, "/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(/UI is not built/);
  });
});

describe("built UI", () => {
  it("serves its files, falls back to index.html for client routes, keeps /api JSON", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lignee-ui-"));
    try {
      await mkdir(path.join(dir, "assets"));
      await writeFile(path.join(dir, "index.html"), "<!doctype html><title>Lignée</title>");
      await writeFile(path.join(dir, "assets/app.js"), "console.log('ui');");
      const withUi = createApp({
        definitions: examples(),
        storage,
        environment: { databaseUrl: "", home: "" },
        uiDir: dir,
      });
      const home = await withUi.app.request("/");
      expect(home.status).toBe(200);
      expect(await home.text()).toContain("<title>Lignée</title>");
      const script = await withUi.app.request("/assets/app.js");
      expect(await script.text()).toContain("console.log('ui')");
      const route = await withUi.app.request("/assets-view/raw/events");
      expect(await route.text()).toContain("<title>Lignée</title>");
      const api404 = await withUi.app.request("/api/nope");
      expect(api404.status).toBe(404);
      expect(await api404.json()).toEqual({ error: "no route for GET /api/nope" });
      // A relative folder is resolved once, against the working directory at creation.
      const relative = createApp({
        definitions: examples(),
        storage,
        environment: { databaseUrl: "", home: "" },
        uiDir: path.relative(process.cwd(), dir),
      });
      expect(await (await relative.app.request("/runs")).text()).toContain("<title>Lignée</title>");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a folder without index.html counts as a UI not built", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lignee-ui-"));
    try {
      const empty = createApp({
        definitions: examples(),
        storage,
        environment: { databaseUrl: "", home: "" },
        uiDir: dir,
      });
      expect(await (await empty.app.request("/")).text()).toMatch(/UI is not built/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** An app on a database of its own, for tests that count what they create. */
async function isolatedApp(): Promise<{
  storage: PostgresStorage;
  app: (overrides?: ExampleOverrides) => App;
  close: () => Promise<void>;
}> {
  const own = PostgresStorage.connect(await createTestDatabase());
  const apps: App[] = [];
  return {
    storage: own,
    app: (overrides) => {
      const created = createApp({
        definitions: examples(overrides),
        storage: own,
        environment: { databaseUrl: "", home: "" },
        pollMs: 50,
      });
      apps.push(created);
      return created;
    },
    close: async () => {
      await Promise.all(apps.map((a) => a.runs.stopAll()));
      await own.close();
    },
  };
}

async function waitFor(store: PostgresStorage, id: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const run = await store.getRun(id);
    if (run && ["SUCCESS", "FAILURE", "CANCELED"].includes(run.status)) return run.status;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${id} did not finish`);
}

describe("materialisations of an asset", () => {
  it("lists them newest first, or the latest of each partition; validates the query", async () => {
    const env = await isolatedApp();
    try {
      const app = env.app();
      const run = async (body: unknown): Promise<string> => {
        const id = await startRun(app, body);
        expect(await waitFor(env.storage, id)).toBe("SUCCESS");
        return id;
      };
      const first = await run({ selection: "raw/events", from: "2024-08-01", to: "2024-08-02" });
      const second = await run({ selection: "raw/events", partition: "2024-08-01" });
      const list = async (query = ""): Promise<{ runId: string; partitionKey: string }[]> => {
        const res = await get(app, `/api/assets/raw/events/materializations${query}`);
        expect(res.status, query).toBe(200);
        return MaterializationsBody.parse(await res.json()).materializations;
      };
      const all = await list();
      // Newest first; the first run's two partitions in whichever order its steps ended.
      const pairs = all.map((m) => [m.partitionKey, m.runId]);
      expect(pairs[0]).toEqual(["2024-08-01", second]);
      expect(pairs.slice(1).sort()).toEqual([
        ["2024-08-01", first],
        ["2024-08-02", first],
      ]);
      expect(all[0]).toMatchObject({ metadata: { rows: 100 }, codeVersion: "1" });
      const latest = await list("?latestPerPartition=true");
      expect(latest.map((m) => [m.partitionKey, m.runId])).toEqual([
        ["2024-08-01", second],
        ["2024-08-02", first],
      ]);
      expect(await list("?latestPerPartition=false&limit=1")).toEqual([all[0]]);
      expect(await list("?latestPerPartition=true&limit=5000")).toEqual(latest);
      expect(
        (await (await get(app, "/api/assets/ref/countries/materializations")).json()) as unknown,
      ).toEqual({ materializations: [] });

      for (const query of [
        "limit=0",
        "limit=5001",
        "limit=abc",
        "limit=1.5",
        "latestPerPartition=yes",
      ]) {
        const res = await get(app, `/api/assets/raw/events/materializations?${query}`);
        expect(res.status, query).toBe(400);
        expect(((await res.json()) as { error: string }).error).toMatch(/^invalid request/);
      }
      const unknown = await get(app, "/api/assets/raw/nope/materializations");
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: 'Unknown asset "raw/nope"' });
    } finally {
      await env.close();
    }
  });
});

describe("stale runs", () => {
  it("materialises only what is missing, stale or failed; nothing stale is a 400", async () => {
    const env = await isolatedApp();
    try {
      const app = env.app();
      const runCount = async (): Promise<number> =>
        (await env.storage.listRuns({ limit: 500 })).length;

      // Nothing materialised: ref/countries is MISSING.
      const first = await startRun(app, { selection: "ref/countries", stale: true });
      expect(await waitFor(env.storage, first)).toBe("SUCCESS");
      expect(await env.storage.getRun(first)).toMatchObject({
        assetKeys: ["ref/countries"],
        partitionSpec: { kind: "stale" },
      });

      // Now it is FRESH: nothing to do, no run.
      const before = await runCount();
      const again = await post(app, "/api/runs", { selection: "ref/countries", stale: true });
      expect(again.status).toBe(400);
      expect(await again.json()).toEqual({
        error: "nothing to materialise: every selected asset is fresh",
      });
      const reexecuted = await post(app, `/api/runs/${first}/reexecute`);
      expect(reexecuted.status).toBe(400);
      expect(await runCount()).toBe(before);

      // marts/summary reads staging/events_clean, never materialised: it waits on it, and a
      // stale request leaves it out (here, leaving nothing) and says why.
      const waiting = await post(app, "/api/runs", { selection: "ref/countries+", stale: true });
      expect(waiting.status).toBe(400);
      expect(await waiting.json()).toEqual({
        error:
          "nothing to materialise: left out 1 partition of marts/summary: upstream staging/events_clean is missing (include their missing upstream to build them)",
      });

      // A selection with fresh and missing assets: the run only targets the missing one.
      const day = await startRun(app, { selection: "raw/events+", partition: "2024-08-01" });
      expect(await waitFor(env.storage, day)).toBe("SUCCESS");
      const bumpedMart = env.app({ codeVersions: { "marts/summary": "2" } });
      const mixed = await startRun(bumpedMart, { selection: "ref/countries+", stale: true });
      expect(await waitFor(env.storage, mixed)).toBe("SUCCESS");
      expect((await env.storage.getRun(mixed))?.assetKeys).toEqual(["marts/summary"]);
      const steps = RunDetailBody.parse(await (await get(app, `/api/runs/${mixed}`)).json()).steps;
      expect(steps.map((s) => s.key)).toEqual(["marts/summary"]);

      // A new code version makes ref/countries stale again: re-executing the first run
      // recomputes what is stale at that time.
      const bumped = env.app({ codeVersions: { "ref/countries": "2" } });
      const res = await post(bumped, `/api/runs/${first}/reexecute`);
      expect(res.status, await res.clone().text()).toBe(201);
      const { runId } = (await res.json()) as { runId: string };
      expect(await waitFor(env.storage, runId)).toBe("SUCCESS");
      expect(await env.storage.getRun(runId)).toMatchObject({
        selection: "ref/countries",
        assetKeys: ["ref/countries"],
        partitionSpec: { kind: "stale" },
        tags: { reexecutionOf: first },
      });
      const detail = (await (await get(bumped, "/api/assets/ref/countries")).json()) as {
        status: string;
      };
      expect(detail.status).toBe("FRESH");
      expect((await post(bumped, `/api/runs/${runId}/reexecute`)).status).toBe(400);
    } finally {
      await env.close();
    }
  });
});

describe("partitions waiting on upstream, previews and the health headline", () => {
  it("leaves out waiting partitions and says so; previews count partitions and estimate from measured steps", async () => {
    const env = await isolatedApp();
    try {
      const app = env.app();
      const day = await startRun(app, { selection: "raw/events", partition: "2024-08-01" });
      expect(await waitFor(env.storage, day)).toBe("SUCCESS");

      // Every day of staging but 2024-08-01 waits on raw/events: left out, and counted.
      const detail = AssetDetailBody.parse(
        await (await get(app, "/api/assets/staging/events_clean")).json(),
      );
      const days = detail.total;
      expect(detail.health).toEqual({
        materialized: 0,
        total: days,
        fresh: 0,
        stale: 0,
        failed: 0,
        missing: days,
        waiting: days - 1,
        running: 0,
        worst: "MISSING",
      });
      const reason = `upstream raw/events[2024-05-23, 2024-05-24, 2024-05-25] and ${days - 4} more are missing`;
      expect(detail.causes).toEqual([
        expect.objectContaining({ kind: "upstream-missing", description: reason, count: days - 1 }),
      ]);

      const body = { selection: "staging/events_clean", stale: true };
      const previewed = await post(app, "/api/runs", { ...body, preview: true });
      expect(previewed.status).toBe(200);
      expect(await previewed.json()).toEqual({
        preview: true,
        assets: [
          {
            assetKey: "staging/events_clean",
            partitions: 1,
            confirmAbove: null,
            secondsPerPartition: null,
            measuredSteps: 0,
          },
        ],
        totalPartitions: 1,
        leftOut: [{ assetKey: "staging/events_clean", partitions: days - 1, reason }],
        estimateSeconds: null,
        measuredSteps: 0,
        unmeasured: ["staging/events_clean"],
        needsConfirmation: false,
        reason: null,
      });
      const runsBefore = (await env.storage.listRuns({ limit: 500 })).length;
      expect(runsBefore).toBe(1);

      const started = await post(app, "/api/runs", body);
      expect(started.status).toBe(201);
      const answer = (await started.json()) as { runId: string; leftOut: unknown };
      expect(answer.leftOut).toEqual([
        { assetKey: "staging/events_clean", partitions: days - 1, reason },
      ]);
      expect(await waitFor(env.storage, answer.runId)).toBe("SUCCESS");

      // 60 days of raw/events: over 50 partitions, to confirm; estimated from the measured day.
      const range = await post(app, "/api/runs", {
        selection: "raw/events",
        from: "2024-06-01",
        to: "2024-07-30",
        preview: true,
      });
      const preview = (await range.json()) as {
        totalPartitions: number;
        estimateSeconds: number | null;
        measuredSteps: number;
        needsConfirmation: boolean;
        reason: string;
      };
      expect(preview).toMatchObject({
        totalPartitions: 60,
        measuredSteps: 1,
        needsConfirmation: true,
        reason: "60 partitions, more than 50",
      });
      expect(preview.estimateSeconds).toBeGreaterThanOrEqual(0);
      expect((await env.storage.listRuns({ limit: 500 })).length).toBe(2);

      // The explicit choice builds the missing upstream days too: confirmation needed.
      const withUpstream = await post(app, "/api/runs", {
        ...body,
        includeMissingUpstream: true,
        preview: true,
      });
      const all = (await withUpstream.json()) as {
        assets: { assetKey: string; partitions: number }[];
        leftOut: unknown[];
      };
      expect(all.assets).toEqual([
        expect.objectContaining({ assetKey: "raw/events", partitions: days - 1 }),
        expect.objectContaining({ assetKey: "staging/events_clean", partitions: days - 1 }),
      ]);
      expect(all.leftOut).toEqual([]);
      const refused = await post(app, "/api/runs", { ...body, includeMissingUpstream: true });
      expect(refused.status).toBe(400);
      const mixed = await post(app, "/api/runs", {
        partition: "2024-08-01",
        selection: "raw/events",
        includeMissingUpstream: true,
      });
      expect(mixed.status).toBe(400);
      expect(await mixed.json()).toEqual({ error: "includeMissingUpstream goes with stale" });

      const graph = AssetGraphBody.parse(await (await get(app, "/api/assets")).json());
      expect(graph.nodes.find((n) => n.key === "raw/events")?.health).toMatchObject({
        materialized: 1,
        total: days,
        worst: "MISSING",
      });
    } finally {
      await env.close();
    }
  });
});

describe("step attempts", () => {
  it("counts every attempt of a step that was retried (attempts = retries + 1)", async () => {
    const own = PostgresStorage.connect(await createTestDatabase());
    let calls = 0;
    const flaky = Definitions.create({
      assets: [
        defineAsset({
          key: "raw/flaky",
          retryPolicy: retryPolicy({ maxRetries: 3, delayMs: 1, jitter: false }),
          materialize() {
            calls++;
            // A network error: transient, so retried.
            if (calls <= 2)
              throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
            return Promise.resolve({ metadata: {} });
          },
        }),
      ],
    }) as Definitions<unknown>;
    const app = createApp({
      definitions: flaky,
      storage: own,
      environment: { databaseUrl: "", home: "" },
    });
    try {
      const runId = await startRun(app, { selection: "raw/flaky" });
      expect(await waitFor(own, runId)).toBe("SUCCESS");
      expect(calls).toBe(3);
      const detail = RunDetailBody.parse(await (await get(app, `/api/runs/${runId}`)).json());
      expect(detail.steps).toEqual([
        expect.objectContaining({ key: "raw/flaky", status: "SUCCESS", attempts: 3 }),
      ]);
    } finally {
      await app.runs.stopAll();
      await own.close();
    }
  });
});
