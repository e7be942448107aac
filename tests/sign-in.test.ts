import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openAuthApi, PASSWORD, SERVICE, type AuthApi } from "./support/auth";

/**
 * Signing in and what a session or token may then do, through the API on real PostgreSQL:
 * CSRF on cookie writes, the rate limit of failed sign-ins, revocation and disabling taking
 * effect at the next request, sign-out, idle and absolute expiry, the cookie's flags.
 */
let t: AuthApi;

const launch = { selection: "raw/events", partition: "2024-08-01" };
const INVALID = { error: "invalid user name or password" };

beforeAll(async () => {
  t = await openAuthApi();
  await t.addUser("alice", "operator");
  await t.addUser("bob", "operator");
  await t.addUser("carol", "viewer");
});

afterAll(async () => {
  await t.close();
});

beforeEach(async () => {
  // In-process requests all come from the address `local`: each test counts its own failures.
  for (const key of ["address:local", "user:alice", "user:bob", "user:carol", "user:nobody"]) {
    await t.store.clearSignInFailures(key);
  }
});

const signInAs = (name: string, password: string, headers?: Record<string, string>) =>
  t.call("POST", "/api/session", { body: { name, password }, ...(headers ? { headers } : {}) });

describe("CSRF", () => {
  it("refuses a cookie write without the header or with a wrong one, and takes the right one", async () => {
    const alice = await t.signIn("alice");
    for (const csrf of [null, "wrong", `${alice.csrf}x`]) {
      const res = await t.call("POST", "/api/runs", { as: alice, body: launch, csrf });
      expect(res.status, String(csrf)).toBe(403);
      expect(await res.json()).toEqual({ error: "missing or invalid CSRF token" });
    }
    const ok = await t.call("POST", "/api/runs", { as: alice, body: launch });
    expect(ok.status).toBe(201);
    // Reads need none.
    expect((await t.call("GET", "/api/runs", { as: alice, csrf: null })).status).toBe(200);
  });

  it("needs none from a bearer token", async () => {
    const token = await t.createToken(await t.signIn("alice"), "operate");
    const res = await t.call("POST", "/api/runs", {
      as: token,
      body: { ...launch, partition: "2024-08-02" },
    });
    expect(res.status).toBe(201);
  });

  it("guards signing out too", async () => {
    const alice = await t.signIn("alice");
    const res = await t.call("DELETE", "/api/session", { as: alice, csrf: null });
    expect(res.status).toBe(403);
    expect((await t.call("GET", "/api/runs", { as: alice })).status).toBe(200);
  });
});

describe("failed sign-ins", () => {
  it("answer the same for an unknown user, a wrong password and a disabled user", async () => {
    await t.addUser("dave", "viewer");
    await t.call("POST", "/api/users/dave/disable", { as: SERVICE });
    const answers = [
      await signInAs("nobody", PASSWORD),
      await signInAs("alice", "not the password"),
      await signInAs("dave", PASSWORD),
    ];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(await res.json()).toEqual(INVALID);
    }
  });

  it("after 5 for a user, 429 with Retry-After even with the right password; others unaffected", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await signInAs("Alice", "wrong password!")).status).toBe(401);
    }
    const refused = await signInAs("alice", PASSWORD);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect((await signInAs("bob", PASSWORD)).status).toBe(200);
  });

  it("after 20 from one address across users, 429 for anybody from it", async () => {
    for (let i = 0; i < 20; i++) {
      expect((await signInAs(`user${i}`, "wrong password!")).status).toBe(401);
    }
    const refused = await signInAs("bob", PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("a success clears the user's count", async () => {
    for (let i = 0; i < 4; i++) await signInAs("bob", "wrong password!");
    expect((await signInAs("bob", PASSWORD)).status).toBe(200);
    for (let i = 0; i < 4; i++) await signInAs("bob", "wrong password!");
    expect((await signInAs("bob", PASSWORD)).status).toBe(200);
  });
});

describe("revocation and disabling", () => {
  it("a revoked token is refused at its next request", async () => {
    await t.addUser("erin", "operator");
    const erin = await t.signIn("erin");
    const token = await t.createToken(erin, "read");
    expect((await t.call("GET", "/api/runs", { as: token })).status).toBe(200);
    const list = (await (await t.call("GET", "/api/tokens", { as: erin })).json()) as {
      tokens: { id: string }[];
    };
    expect(list.tokens).toHaveLength(1);
    // Another user may not revoke it; its owner may.
    const carol = await t.signIn("carol");
    expect(
      (await t.call("DELETE", `/api/tokens/${list.tokens[0]!.id}`, { as: carol })).status,
    ).toBe(404);
    expect((await t.call("DELETE", `/api/tokens/${list.tokens[0]!.id}`, { as: erin })).status).toBe(
      204,
    );
    expect((await t.call("GET", "/api/runs", { as: token })).status).toBe(401);
  });

  it("disabling a user ends its sessions and tokens at once", async () => {
    await t.addUser("frank", "operator");
    const frank = await t.signIn("frank");
    const token = await t.createToken(frank, "operate");
    expect((await t.call("GET", "/api/runs", { as: frank })).status).toBe(200);
    const res = await t.call("POST", "/api/users/frank/disable", { as: SERVICE });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { disabled: boolean }).disabled).toBe(true);
    expect((await t.call("GET", "/api/runs", { as: frank })).status).toBe(401);
    expect((await t.call("GET", "/api/runs", { as: token })).status).toBe(401);
  });

  it("setting a password ends the user's sessions", async () => {
    await t.addUser("gina", "viewer");
    const gina = await t.signIn("gina");
    const res = await t.call("PUT", "/api/users/gina/password", {
      as: SERVICE,
      body: { password: "another long password" },
    });
    expect(res.status).toBe(204);
    expect((await t.call("GET", "/api/runs", { as: gina })).status).toBe(401);
    expect((await signInAs("gina", "another long password")).status).toBe(200);
  });

  it("signing out takes effect at once", async () => {
    const bob = await t.signIn("bob");
    const out = await t.call("DELETE", "/api/session", { as: bob });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/lignee_session=;.*Max-Age=0/);
    expect((await t.call("GET", "/api/runs", { as: bob })).status).toBe(401);
    const session = (await (await t.call("GET", "/api/session", { as: bob })).json()) as {
      user: unknown;
    };
    expect(session.user).toBeNull();
  });
});

describe("GET /api/session", () => {
  it("says the mode and who is calling, with the CSRF token of a browser's session", async () => {
    const alice = await t.signIn("alice");
    const res = await t.call("GET", "/api/session", { as: alice });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      mode: "users",
      user: { name: "alice", role: "operator" },
      via: "session",
      csrfToken: alice.csrf,
      idleMinutes: 60,
    });
    expect(new Date(body.expiresAt as string).getTime()).toBeGreaterThan(Date.now());
    expect(await (await t.call("GET", "/api/session")).json()).toEqual({
      mode: "users",
      user: null,
      via: null,
    });
  });
});

describe("cookie flags", () => {
  it("HttpOnly, SameSite=Strict, Path=/; Secure only over HTTPS", async () => {
    const plain = (await signInAs("alice", PASSWORD)).headers.get("set-cookie") ?? "";
    expect(plain).toMatch(/^lignee_session=[A-Za-z0-9_-]{43};/);
    expect(plain).toMatch(/; HttpOnly/);
    expect(plain).toMatch(/; SameSite=Strict/);
    expect(plain).toMatch(/; Path=\//);
    expect(plain).not.toMatch(/Secure/);
    const proxied = await signInAs("alice", PASSWORD, { "x-forwarded-proto": "https" });
    expect(proxied.headers.get("set-cookie")).toMatch(/; Secure/);
    const https = await t.app.app.request("https://lignee.example/api/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "alice", password: PASSWORD }),
    });
    expect(https.status).toBe(200);
    expect(https.headers.get("set-cookie")).toMatch(/; Secure/);
  });
});

describe("session expiry", () => {
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("ends a session unused for longer than the idle time, and any past the absolute one", async () => {
    // Three apps on one database: the same session, read with different limits.
    const lenient = await openAuthApi({
      databaseUrl: t.url,
      sessions: { idleMs: 3_600_000, absoluteMs: 3_600_000 },
    });
    const idle = await openAuthApi({
      databaseUrl: t.url,
      sessions: { idleMs: 1, absoluteMs: 3_600_000 },
    });
    const short = await openAuthApi({
      databaseUrl: t.url,
      sessions: { idleMs: 3_600_000, absoluteMs: 1 },
    });
    try {
      const session = await lenient.signIn("carol");
      await pause(20);
      expect((await idle.call("GET", "/api/runs", { as: session })).status).toBe(401);
      expect((await lenient.call("GET", "/api/runs", { as: session })).status).toBe(200);
      const brief = await short.signIn("carol");
      await pause(20);
      expect((await lenient.call("GET", "/api/runs", { as: brief })).status).toBe(401);
    } finally {
      await lenient.close();
      await idle.close();
      await short.close();
    }
  });
});
