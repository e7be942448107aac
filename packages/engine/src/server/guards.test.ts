import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import type { Definitions } from "../definitions/definitions";
import { buildExampleDefinitions } from "../examples/example-definitions";
import { PostgresStorage } from "../storage/postgres-storage";
import { createApp, type App } from "./app";

/** What a hostile web page could send to a local API: refused, and nothing is created. */
let storage: PostgresStorage;
let api: App;

beforeAll(async () => {
  storage = PostgresStorage.connect(await createTestDatabase());
  api = createApp({
    definitions: buildExampleDefinitions() as Definitions<unknown>,
    storage,
    environment: { databaseUrl: "", home: "" },
    allowedHosts: ["localhost", "127.0.0.1"],
  });
});

afterAll(async () => {
  await api.runs.stopAll();
  await storage.close();
});

const runCount = async (): Promise<number> => (await storage.listRuns({ limit: 500 })).length;

describe("request guards", () => {
  it("refuses a request whose Host is not loopback (DNS rebinding)", async () => {
    const res = await api.app.request("http://evil.example:3000/api/assets");
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'requests for host "evil.example" are not served' });
    const ok = await api.app.request("http://127.0.0.1:3000/api/assets");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("refuses writes from another origin and creates no run", async () => {
    const before = await runCount();
    const res = await api.app.request("http://localhost:3000/api/runs", {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ selection: "ref/countries" }),
    });
    expect(res.status).toBe(403);
    expect(await runCount()).toBe(before);
  });

  it("accepts writes from its own origin", async () => {
    const res = await api.app.request("http://localhost:3000/api/runs", {
      method: "POST",
      headers: { origin: "http://localhost:3000", "content-type": "application/json" },
      body: JSON.stringify({ selection: "raw/nope" }),
    });
    // Past the guards: the selection itself is what is refused.
    expect(res.status).toBe(400);
  });

  it("needs a JSON content type (a form post cannot start a run)", async () => {
    const before = await runCount();
    const res = await api.app.request("http://localhost:3000/api/runs", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ selection: "ref/countries" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "the body must be JSON (content-type: application/json)",
    });
    expect(await runCount()).toBe(before);
  });
});
