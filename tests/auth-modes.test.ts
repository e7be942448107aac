import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  buildExampleDefinitions,
  createServer,
  PostgresAuthStore,
  PostgresStorage,
  ServerConfigError,
  type Definitions,
  type RunningServer,
} from "@lignee/engine";
import { PASSWORD } from "./support/auth";
import { createTestDatabase } from "./support/database";

/**
 * How a real server admits callers, resolved at each request: the local mode on loopback
 * while no user is active, sign-in once one is (on loopback too), and a non-loopback bind
 * refused without a token or a user.
 */
const definitions = buildExampleDefinitions() as Definitions<unknown>;
const saved = { ...process.env };
let databaseUrl: string;
let storage: PostgresStorage;
const servers: RunningServer[] = [];

beforeEach(async () => {
  for (const name of [
    "LIGNEE_API_TOKEN",
    "LIGNEE_ADMIN_USER",
    "LIGNEE_ADMIN_PASSWORD",
    "LIGNEE_ADMIN_PASSWORD_FILE",
  ]) {
    delete process.env[name];
  }
  databaseUrl = await createTestDatabase();
  storage = PostgresStorage.connect(databaseUrl);
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await storage.close();
  process.env = { ...saved };
});

async function serve(host?: string): Promise<RunningServer> {
  const server = await createServer({
    definitions,
    runtime: { storage, databaseUrl, home: "" },
    port: 0,
    ...(host !== undefined ? { host } : {}),
    log: () => undefined,
  });
  servers.push(server);
  return server;
}

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("the local mode", () => {
  it("admits anybody as admin on loopback while no user exists, and names nobody", async () => {
    const server = await serve();
    expect(server.access).toBe("local");
    expect((await fetch(`${server.url}/api/runs`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/api/session`)).json()).toEqual({
      mode: "local",
      user: null,
      via: "local",
    });
    const launched = await fetch(`${server.url}/api/runs`, json({ selection: "ref/countries" }));
    expect(launched.status).toBe(201);
    const { runId } = (await launched.json()) as { runId: string };
    expect((await storage.getRun(runId))?.launchedBy).toEqual({ kind: "api", detail: null });
    await server.app.runs.stopAll();
  });
});

describe("the users mode", () => {
  it("needs a sign-in on loopback too once a user exists, from that request on", async () => {
    const server = await serve();
    // Added in the local mode, as its single user may.
    const added = await fetch(
      `${server.url}/api/users`,
      json({ name: "alice", role: "admin", password: PASSWORD }),
    );
    expect(added.status).toBe(201);
    const anonymous = await fetch(`${server.url}/api/runs`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="lignee"');
    expect(
      ((await (await fetch(`${server.url}/api/session`)).json()) as { mode: string }).mode,
    ).toBe("users");
    const signIn = await fetch(
      `${server.url}/api/session`,
      json({ name: "alice", password: PASSWORD }),
    );
    expect(signIn.status).toBe(200);
    const cookie = /lignee_session=[^;]+/.exec(signIn.headers.get("set-cookie") ?? "")![0];
    expect((await fetch(`${server.url}/api/runs`, { headers: { cookie } })).status).toBe(200);
    // Failures and sign-ins are keyed by the socket's address.
    const store = PostgresAuthStore.connect(databaseUrl);
    try {
      const [event] = await store.listAudit({ limit: 1, action: "session.sign-in" });
      expect(event?.detail.address).toMatch(/127\.0\.0\.1$/);
    } finally {
      await store.close();
    }
  });
});

describe("binding a non-loopback host", () => {
  it("is refused without a token or a user", async () => {
    await expect(serve("0.0.0.0")).rejects.toThrow(ServerConfigError);
    await expect(serve("0.0.0.0")).rejects.toThrow(/without a token or a user/);
  });

  it("is accepted once a user exists, then needs a sign-in", async () => {
    const store = PostgresAuthStore.connect(databaseUrl);
    try {
      await store.addUser({ name: "alice", role: "admin", passwordHash: null, at: new Date() });
    } finally {
      await store.close();
    }
    const server = await serve("0.0.0.0");
    expect(server.access).toBe("users");
    const port = new URL(server.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/api/runs`)).status).toBe(401);
  });

  it("is accepted with the first admin from the environment", async () => {
    process.env.LIGNEE_ADMIN_USER = "root";
    process.env.LIGNEE_ADMIN_PASSWORD = PASSWORD;
    const server = await serve("0.0.0.0");
    const port = new URL(server.url).port;
    const signIn = await fetch(
      `http://127.0.0.1:${port}/api/session`,
      json({ name: "root", password: PASSWORD }),
    );
    expect(signIn.status).toBe(200);
    expect(await signIn.json()).toMatchObject({ user: { name: "root", role: "admin" } });
  });
});
