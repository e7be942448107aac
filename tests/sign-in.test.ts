import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import pg from "pg";
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
  await t.addUser("root", "admin");
  await t.addUser("alice", "operator");
  await t.addUser("bob", "operator");
  await t.addUser("carol", "viewer");
});

afterAll(async () => {
  await t.close();
});

beforeEach(async () => {
  // In-process requests all come from the address `local`: each test counts its own failures.
  for (const key of [
    "address:local",
    "user:alice",
    "user:bob",
    "user:carol",
    "user:ivan",
    "user:nobody",
  ]) {
    await t.store.clearSignInFailures(key);
  }
});

const signInAs = (name: string, password: string, headers?: Record<string, string>) =>
  t.call("POST", "/api/session", { body: { name, password }, ...(headers ? { headers } : {}) });

describe("the first user", () => {
  it("must be an admin: another role is refused with 409 and nothing is added", async () => {
    const api = await openAuthApi();
    try {
      for (const role of ["viewer", "operator"]) {
        const res = await api.call("POST", "/api/users", {
          as: SERVICE,
          body: { name: "vic", role, password: PASSWORD },
        });
        expect(res.status, role).toBe(409);
        expect(await res.json()).toEqual({
          error: "the first user must be an admin",
        });
      }
      const users = await api.call("GET", "/api/users", { as: SERVICE });
      expect(await users.json()).toEqual({ users: [] });
      expect(await (await api.call("GET", "/api/session")).json()).toMatchObject({ mode: "token" });
      await api.addUser("root", "admin");
      await api.addUser("vic", "viewer");
    } finally {
      await api.close();
    }
  });
});

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

  it("a token's secret is answered once, not to be stored by any cache", async () => {
    const alice = await t.signIn("alice");
    const res = await t.call("POST", "/api/tokens", {
      as: alice,
      body: { label: "cache", scope: "read" },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
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

  it("counts parallel wrong passwords one by one: 5 are refused as wrong, the rest as too many", async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => signInAs("alice", "wrong password!")),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    // The refused ones were not counted: the right password is refused as long as the 5 are.
    expect((await signInAs("alice", PASSWORD)).status).toBe(429);
  });

  it("an admin setting the password lets a locked-out user sign in at once", async () => {
    await t.addUser("judy", "viewer");
    for (let i = 0; i < 5; i++) await signInAs("judy", "wrong password!");
    expect((await signInAs("judy", PASSWORD)).status).toBe(429);
    const set = await t.call("PUT", "/api/users/JUDY/password", {
      as: SERVICE,
      body: { password: "judy's new password" },
    });
    expect(set.status).toBe(204);
    expect((await signInAs("judy", "judy's new password")).status).toBe(200);
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

  it("a viewer creates only read tokens", async () => {
    const carol = await t.signIn("carol");
    const refused = await t.call("POST", "/api/tokens", {
      as: carol,
      body: { label: "more", scope: "operate" },
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: "a viewer's tokens have scope read: scope operate acts as an operator",
    });
    const { tokens } = (await (await t.call("GET", "/api/tokens", { as: carol })).json()) as {
      tokens: { label: string }[];
    };
    expect(tokens.filter((k) => k.label === "more")).toEqual([]);
    const read = await t.call("POST", "/api/tokens", {
      as: carol,
      body: { label: "read", scope: "read" },
    });
    expect(read.status).toBe(201);
  });

  it("a token neither creates nor revokes tokens", async () => {
    await t.addUser("hank", "operator");
    const hank = await t.signIn("hank");
    const token = await t.createToken(hank, "operate");
    const other = await t.createToken(hank, "read");
    const mine = (await (await t.call("GET", "/api/tokens", { as: hank })).json()) as {
      tokens: { id: string }[];
    };
    const refusal = { error: "API tokens are managed after signing in, not with a token" };
    const created = await t.call("POST", "/api/tokens", {
      as: token,
      body: { label: "more", scope: "read" },
    });
    expect(created.status).toBe(403);
    expect(await created.json()).toEqual(refusal);
    for (const { id } of mine.tokens) {
      const revoked = await t.call("DELETE", `/api/tokens/${id}`, { as: other });
      expect(revoked.status).toBe(403);
      expect(await revoked.json()).toEqual(refusal);
    }
    expect((await t.call("GET", "/api/runs", { as: token })).status).toBe(200);
    expect((await t.call("GET", "/api/runs", { as: other })).status).toBe(200);
  });

  it("an authorization header not recognised is refused, whatever cookie comes with it", async () => {
    const alice = await t.signIn("alice");
    const revoked = await t.createToken(alice, "read");
    const list = (await (await t.call("GET", "/api/tokens", { as: alice })).json()) as {
      tokens: { id: string }[];
    };
    for (const { id } of list.tokens) await t.call("DELETE", `/api/tokens/${id}`, { as: alice });
    for (const authorization of [
      `Bearer ${revoked.token}`,
      "Bearer lgn_not-a-token",
      "Bearer wrong",
      "Basic YWxpY2U6cGFzcw==",
    ]) {
      const res = await t.call("GET", "/api/runs", { as: alice, headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect(await res.json(), authorization).toEqual({
        error: authorization.startsWith("Bearer ")
          ? "invalid or revoked API token"
          : "sign-in required: sign in, or send an API token (Authorization: Bearer …)",
      });
    }
    expect((await t.call("GET", "/api/runs", { as: alice })).status).toBe(200);
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

  it("enabling a disabled user lets it sign in again; its tokens stay revoked", async () => {
    await t.addUser("ivan", "operator");
    const ivan = await t.signIn("ivan");
    const token = await t.createToken(ivan, "read");
    expect((await t.call("POST", "/api/users/ivan/disable", { as: SERVICE })).status).toBe(200);
    expect((await signInAs("ivan", PASSWORD)).status).toBe(401);
    const res = await t.call("POST", "/api/users/IVAN/enable", { as: SERVICE });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: "ivan", role: "operator", disabled: false });
    expect((await signInAs("ivan", PASSWORD)).status).toBe(200);
    expect((await t.call("GET", "/api/runs", { as: token })).status).toBe(401);
    const unknown = await t.call("POST", "/api/users/nobody/enable", { as: SERVICE });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'unknown user "nobody"' });
    const { events } = (await (
      await t.call("GET", "/api/audit?action=user.enable", { as: SERVICE })
    ).json()) as { events: { actor: string; target: string }[] };
    expect(events).toEqual([expect.objectContaining({ actor: "service token", target: "ivan" })]);
    // Enabling it again changes nothing, and records nothing.
    const again = await t.call("POST", "/api/users/ivan/enable", { as: SERVICE });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ name: "ivan", disabled: false });
    const after = (await (
      await t.call("GET", "/api/audit?action=user.enable", { as: SERVICE })
    ).json()) as { events: unknown[] };
    expect(after.events).toHaveLength(1);
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

describe("an open event stream", () => {
  /** Reads a response's body to its end: resolves when the server closes the stream. */
  const drain = async (res: Response): Promise<void> => {
    const reader = res.body!.getReader();
    while (!(await reader.read()).done);
  };

  it("ends when its session ends or its token is revoked", { timeout: 20_000 }, async () => {
    const api = await openAuthApi({ databaseUrl: t.url, pollMs: 10 });
    try {
      const alice = await api.signIn("alice");
      // A run no worker takes: its stream would stay open until the run ends.
      const launched = await api.call("POST", "/api/runs", {
        as: alice,
        body: { ...launch, partition: "2024-08-25" },
      });
      const { runId } = (await launched.json()) as { runId: string };
      const stream = await api.call("GET", `/api/runs/${runId}/events`, { as: alice });
      expect(stream.status).toBe(200);
      const ended = drain(stream);
      expect((await api.call("DELETE", "/api/session", { as: alice })).status).toBe(204);
      await ended;

      const again = await api.signIn("alice");
      const token = await api.createToken(again, "read");
      const byToken = await api.call("GET", `/api/runs/${runId}/events`, { as: token });
      expect(byToken.status).toBe(200);
      const tokenEnded = drain(byToken);
      const { tokens } = (await (await api.call("GET", "/api/tokens", { as: again })).json()) as {
        tokens: { id: string; revokedAt: string | null }[];
      };
      for (const { id } of tokens.filter((k) => k.revokedAt === null)) {
        await api.call("DELETE", `/api/tokens/${id}`, { as: again });
      }
      await tokenEnded;
    } finally {
      await api.close();
    }
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

describe("behind an HTTPS reverse proxy", () => {
  const proxied = (origin: string, host = "lignee.example") => ({
    host,
    origin,
    "x-forwarded-proto": "https",
  });

  it("signs in and writes from the public https origin; another origin is still refused", async () => {
    const signedIn = await signInAs("alice", PASSWORD, proxied("https://lignee.example"));
    expect(signedIn.status).toBe(200);
    const alice = await t.signIn("alice");
    const write = (headers: Record<string, string>) =>
      t.call("POST", "/api/runs", {
        as: alice,
        body: { ...launch, partition: "2024-08-20" },
        headers,
      });
    expect((await write(proxied("https://lignee.example"))).status).toBe(201);
    expect((await write(proxied("https://evil.example"))).status).toBe(403);
    expect((await write(proxied("http://lignee.example"))).status).toBe(403);
    // Without the proxy's word, the request's own scheme: http.
    expect((await write({ host: "lignee.example", origin: "https://lignee.example" })).status).toBe(
      403,
    );
  });

  it("accepts the origin of LIGNEE_PUBLIC_URL whatever Host the proxy sends", async () => {
    const api = await openAuthApi({ databaseUrl: t.url, publicUrl: "https://lignee.example.org/" });
    try {
      const alice = await api.signIn("alice");
      const write = (origin: string) =>
        api.call("POST", "/api/runs", {
          as: alice,
          body: { ...launch, partition: "2024-08-21" },
          headers: { host: "lignee:3000", origin },
        });
      expect((await write("https://lignee.example.org")).status).toBe(201);
      expect((await write("https://evil.example")).status).toBe(403);
    } finally {
      await api.close();
    }
  });

  it("counts failures per forwarded address only when told to trust the proxy", async () => {
    const api = await openAuthApi({ databaseUrl: t.url, trustProxy: true });
    try {
      const from = (address: string, name: string, password: string) =>
        api.call("POST", "/api/session", {
          body: { name, password },
          headers: { "x-forwarded-for": `198.51.100.7, ${address}` },
        });
      for (let i = 0; i < 20; i++) {
        expect((await from("203.0.113.9", `proxied${i}`, "wrong password!")).status).toBe(401);
      }
      expect((await from("203.0.113.9", "bob", PASSWORD)).status).toBe(429);
      expect((await from("203.0.113.10", "bob", PASSWORD)).status).toBe(200);
      // Not trusted, the header names nobody: every client is the proxy's one address.
      expect((await signInAs("bob", PASSWORD, { "x-forwarded-for": "203.0.113.9" })).status).toBe(
        200,
      );
    } finally {
      await api.close();
    }
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

  it("is not kept alive by requests the page makes on its own (X-Lignee-Background)", async () => {
    const session = await t.signIn("carol");
    const db = new pg.Client({ connectionString: t.url });
    await db.connect();
    try {
      // Last seen ten minutes ago: the next request that counts marks it seen again.
      await db.query(
        `UPDATE lignee.sessions SET last_seen_at = now() - interval '10 minutes'
         WHERE user_id = (SELECT id FROM lignee.users WHERE name = 'carol')`,
      );
      const lastSeen = async (): Promise<number> => {
        const { rows } = await db.query<{ minutes: number }>(
          `SELECT extract(epoch FROM now() - max(last_seen_at)) / 60 AS minutes
           FROM lignee.sessions
           WHERE user_id = (SELECT id FROM lignee.users WHERE name = 'carol')`,
        );
        return Number(rows[0]!.minutes);
      };
      const polled = await t.call("GET", "/api/runs", {
        as: session,
        headers: { "X-Lignee-Background": "1" },
      });
      expect(polled.status).toBe(200);
      expect(await lastSeen()).toBeGreaterThan(9);
      expect((await t.call("GET", "/api/runs", { as: session })).status).toBe(200);
      expect(await lastSeen()).toBeLessThan(1);
    } finally {
      await db.end();
    }
  });
});
