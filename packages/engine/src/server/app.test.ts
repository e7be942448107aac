import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import type { Definitions } from "../definitions/definitions";
import { buildExampleDefinitions, type ExampleOverrides } from "../examples/example-definitions";
import { PostgresStorage } from "../storage/postgres-storage";
import { createApp, type App } from "./app";
import { AssetDetailBody, AssetGraphBody, RunDetailBody, RunsBody } from "./schemas";

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
      ranges: Record<string, [string, string][]>;
      materializations: { runId: string; partitionKey: string; metadata: unknown }[];
    };
    expect(body.key).toBe("raw/events");
    expect(body.dependents).toEqual(["staging/events_clean"]);
    expect(body.partitions).toMatch(/^daily from 2024-05-23/);
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
      { selection: 42 },
      { selection: "raw/events", partition: "2024-08-01", extra: true },
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
      "/api/assets",
      "/api/assets/{key}",
      "/api/openapi.json",
      "/api/runs",
      "/api/runs/{id}",
      "/api/runs/{id}/cancel",
      "/api/runs/{id}/events",
      "/api/runs/{id}/reexecute",
    ]);
    expect(Object.keys(doc.paths["/api/runs"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(doc.components.schemas).toHaveProperty("RunRequest");
    expect(doc.components.schemas).toHaveProperty("AssetGraph");
    // Every reference resolves to a component.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const id = /#\/components\/schemas\/([^"]+)"/.exec(ref)?.[1];
      expect(doc.components.schemas, ref).toHaveProperty(id ?? "?");
    }
  });

  it("documents the answers truthfully (they parse with the documented schemas)", async () => {
    AssetGraphBody.parse(await (await get(api, "/api/assets")).json());
    AssetDetailBody.parse(await (await get(api, "/api/assets/raw/events")).json());
    const runs = RunsBody.parse(await (await get(api, "/api/runs")).json());
    const id = runs.runs[0]?.id;
    expect(id).toBeDefined();
    RunDetailBody.parse(await (await get(api, `/api/runs/${id}`)).json());
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
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
