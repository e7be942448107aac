import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import type { Definitions } from "../definitions/definitions";
import { buildExampleDefinitions } from "../examples/example-definitions";
import { PostgresStorage } from "../storage/postgres-storage";
import { createServer, isLoopback, ServerConfigError, type RunningServer } from "./server";

/** The API over a real socket: event streams as a browser reads them, and the host policy. */
let storage: PostgresStorage;
let databaseUrl: string;
let server: RunningServer;
const definitions = buildExampleDefinitions({ delayMs: 150 }) as Definitions<unknown>;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  storage = PostgresStorage.connect(databaseUrl);
  server = await createServer({
    definitions,
    runtime: { storage, databaseUrl, home: "" },
    port: 0,
    token: "t0ken",
  });
});

afterAll(async () => {
  await server.close();
  await storage.close();
});

const auth = { authorization: "Bearer t0ken" };

/** Reads an SSE response to its end and returns its messages. */
async function readEvents(res: Response): Promise<{ event: string; data: string }[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split("\n");
      const field = (name: string): string =>
        lines
          .filter((l) => l.startsWith(`${name}: `))
          .map((l) => l.slice(name.length + 2))
          .join("\n");
      return { event: field("event"), data: field("data") };
    });
}

describe("createServer", () => {
  it("listens on loopback and streams a live run's events until RUN_SUCCESS", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const created = await fetch(`${server.url}/api/runs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ selection: "raw/events+", partition: "2024-08-01" }),
    });
    expect(created.status).toBe(201);
    const { runId } = (await created.json()) as { runId: string };
    // Subscribed while the run is still going: past events first, then live ones.
    const res = await fetch(`${server.url}/api/runs/${runId}/events`, { headers: auth });
    expect(res.status).toBe(200);
    const messages = await readEvents(res);
    const events = messages
      .filter((m) => m.event === "run-event")
      .map((m) => JSON.parse(m.data) as { id: number; type: string; runId: string });
    expect(events[0]?.type).toBe("RUN_START");
    expect(events.at(-1)?.type).toBe("RUN_SUCCESS");
    expect(events.filter((e) => e.type === "STEP_SUCCESS")).toHaveLength(3);
    // Every event exactly once, in order.
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    expect(messages.at(-1)).toEqual({ event: "end", data: '{"status":"SUCCESS"}' });
  });

  it("answers 401 without the token over the network too", async () => {
    const res = await fetch(`${server.url}/api/assets`);
    expect(res.status).toBe(401);
  });

  it("takes a write's Origin only when scheme, host and port are this server's", async () => {
    const port = new URL(server.url).port;
    const write = (origin: string): Promise<Response> =>
      fetch(`${server.url}/api/runs`, {
        method: "POST",
        headers: { ...auth, origin, "content-type": "application/json" },
        // Past the guards this selection is refused (400): no run is ever created.
        body: JSON.stringify({ selection: "raw/nope" }),
      });
    expect((await write(`http://127.0.0.1:${port}`)).status).toBe(400);
    for (const origin of [
      `https://127.0.0.1:${port}`,
      `http://evil.example@127.0.0.1:${port}`,
      `http://user:pass@127.0.0.1:${port}`,
      `http://127.0.0.1:${Number(port) === 65535 ? 1 : Number(port) + 1}`,
      "http://127.0.0.1",
      `http://localhost:${port}`,
      `ftp://127.0.0.1:${port}`,
      "null",
      "not a url",
    ]) {
      const res = await write(origin);
      expect(res.status, origin).toBe(403);
      expect(await res.json()).toEqual({ error: "cross-origin requests may not change anything" });
    }
  });

  it("refuses to bind a non-loopback host without a token", async () => {
    const previous = process.env.LIGNEE_API_TOKEN;
    delete process.env.LIGNEE_API_TOKEN;
    try {
      await expect(
        createServer({
          definitions,
          runtime: { storage, databaseUrl, home: "" },
          host: "0.0.0.0",
          port: 0,
        }),
      ).rejects.toThrow(ServerConfigError);
      await expect(
        createServer({
          definitions,
          runtime: { storage, databaseUrl, home: "" },
          host: "0.0.0.0",
          port: 0,
        }),
      ).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without a token/);
    } finally {
      if (previous !== undefined) process.env.LIGNEE_API_TOKEN = previous;
    }
  });

  it("knows loopback hosts", () => {
    expect(["127.0.0.1", "localhost", "::1", "127.0.1.1"].every(isLoopback)).toBe(true);
    expect(["0.0.0.0", "192.168.1.2", "::", "example.com"].some(isLoopback)).toBe(false);
  });

  it("takes addresses for what they are, not names that look like them", () => {
    for (const host of ["127.255.255.254", "[::1]", "LOCALHOST", "0:0:0:0:0:0:0:1"]) {
      expect(isLoopback(host), host).toBe(true);
    }
    for (const host of [
      "127.example.com",
      "127.0.0.1.nip.io",
      "127.0.0.1.",
      "127.1",
      "128.0.0.1",
      "::ffff:10.0.0.1",
      "[::2]",
      "localhost.example.com",
      "",
    ]) {
      expect(isLoopback(host), host).toBe(false);
    }
  });
});
