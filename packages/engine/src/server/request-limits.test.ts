import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import type { Definitions } from "../definitions/definitions";
import { buildExampleDefinitions } from "../examples/example-definitions";
import { PostgresStorage } from "../storage/postgres-storage";
import { openApiDocument } from "./openapi";
import { MAX_BODY_BYTES, TAG_LIMITS } from "./request-limits";
import { createServer, type RunningServer } from "./server";

/**
 * Size limits over a real socket: a body over the limit is refused before it is read whole or
 * parsed, on every write route, and tags are bounded in count and length. Nothing is created.
 */
let storage: PostgresStorage;
let server: RunningServer;
const definitions = buildExampleDefinitions() as Definitions<unknown>;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  storage = PostgresStorage.connect(databaseUrl);
  server = await createServer({
    definitions,
    runtime: { storage, databaseUrl, home: "" },
    port: 0,
  });
});

afterAll(async () => {
  await server.close();
  await storage.close();
});

const json = { "content-type": "application/json" };
const runCount = async (): Promise<number> => (await storage.listRuns({ limit: 500 })).length;

/** Every write route of the API, with its path parameters filled in. */
function writeRoutes(): string[] {
  const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths)
    .filter(([, item]) => "post" in item || "put" in item || "patch" in item)
    .map(([p]) =>
      p
        .replace("{id}", randomUUID())
        .replace("{key}", "raw/events")
        .replace("{kind}", "schedule")
        .replace("{name}", "daily"),
    );
}

describe("request limits", () => {
  it("a body over the limit is 413 on every write route, and creates nothing", async () => {
    const routes = writeRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(5);
    const big = JSON.stringify({
      selection: "raw/events",
      tags: { a: "x".repeat(MAX_BODY_BYTES) },
    });
    const before = await runCount();
    for (const route of routes) {
      const res = await fetch(`${server.url}${route}`, {
        method: "POST",
        headers: json,
        body: big,
      });
      expect(res.status, route).toBe(413);
      expect(((await res.json()) as { error: string }).error).toMatch(/larger than 1 MB/);
    }
    expect(await runCount()).toBe(before);
  });

  it("a streamed body without a length is cut off at the limit", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Far more than the limit if it were read whole: 64 MB.
        if (sent >= 1024) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${server.url}/api/runs`, {
      method: "POST",
      headers: json,
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(1024);
  });

  it("tags are bounded in count and length: 400, no run", async () => {
    const before = await runCount();
    const tooMany = Object.fromEntries(
      Array.from({ length: TAG_LIMITS.count + 1 }, (_, i) => [`k${i}`, "v"]),
    );
    const cases: [Record<string, string>, RegExp][] = [
      [tooMany, /at most 50 tags/],
      [{ ["k".repeat(TAG_LIMITS.keyLength + 1)]: "v" }, /tag keys are at most 128 characters/],
      [{ team: "v".repeat(TAG_LIMITS.valueLength + 1) }, /tag values are at most 1024 characters/],
      [{ "": "v" }, /tag keys are not empty/],
    ];
    for (const [tags, message] of cases) {
      for (const route of ["/api/runs", "/api/backfills"]) {
        const res = await fetch(`${server.url}${route}`, {
          method: "POST",
          headers: json,
          body: JSON.stringify({
            selection: "raw/events",
            from: "2024-06-01",
            to: "2024-06-02",
            tags,
          }),
        });
        expect(res.status, `${route} ${message}`).toBe(400);
        expect(((await res.json()) as { error: string }).error).toMatch(message);
      }
    }
    expect(await runCount()).toBe(before);
    // At the limits, accepted.
    const atLimits = await fetch(`${server.url}/api/runs`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({
        selection: "raw/events",
        partition: "2024-06-01",
        tags: { ["k".repeat(TAG_LIMITS.keyLength)]: "v".repeat(TAG_LIMITS.valueLength) },
      }),
    });
    expect(atLimits.status).toBe(201);
  });
});
