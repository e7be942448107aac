import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AuditList } from "@lignee/engine/wire";
import { openAuthApi, PASSWORD, SERVICE, type AuthApi, type CallOptions } from "./support/auth";

/**
 * `PUT /api/account/password`: a signed-in user changes its own password, proving the current
 * one (a wrong one counts as a failed sign-in); all its sessions end, the caller's goes on
 * under a new secret (a new cookie and CSRF token).
 */
let t: AuthApi;
const NEW = "a brand new password";

beforeAll(async () => {
  t = await openAuthApi();
  await t.addUser("root", "admin");
  await t.addUser("vera", "viewer");
  await t.addUser("otto", "operator");
});

afterAll(async () => {
  await t.close();
});

beforeEach(async () => {
  for (const key of ["address:local", "user:vera", "user:otto"]) {
    await t.store.clearSignInFailures(key);
  }
});

const change = (options: CallOptions) => t.call("PUT", "/api/account/password", options);

describe("PUT /api/account/password", () => {
  it("changes the password: this session goes on under a new cookie, every old one ends, the audit trail says who", async () => {
    const here = await t.signIn("vera");
    const elsewhere = await t.signIn("vera");
    const res = await change({ as: here, body: { current: PASSWORD, password: NEW } });
    expect(res.status, await res.clone().text()).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    const cookie = /lignee_session=([^;]+)/.exec(setCookie)?.[1];
    expect(cookie).toBeDefined();
    expect(cookie).not.toBe(here.cookie);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      mode: "users",
      user: { name: "vera", role: "viewer" },
      via: "session",
      csrfToken: expect.any(String),
      expiresAt: expect.any(String),
      idleMinutes: 60,
    });
    expect(body.csrfToken).not.toBe(here.csrf);
    const renewed = { kind: "session" as const, cookie: cookie!, csrf: body.csrfToken as string };
    // The cookie sent with the change is the one a thief could have: it ends too.
    expect((await t.call("GET", "/api/runs", { as: here })).status).toBe(401);
    expect((await t.call("GET", "/api/runs", { as: elsewhere })).status).toBe(401);
    expect((await t.call("GET", "/api/runs", { as: renewed })).status).toBe(200);
    const session = (await (await t.call("GET", "/api/session", { as: renewed })).json()) as {
      csrfToken: string;
    };
    expect(session.csrfToken).toBe(body.csrfToken);
    const old = await t.call("POST", "/api/session", {
      body: { name: "vera", password: PASSWORD },
    });
    expect(old.status).toBe(401);
    await t.signIn("vera", NEW);
    const audit = (await (
      await t.call("GET", "/api/audit?action=user.set-password", { as: SERVICE })
    ).json()) as AuditList;
    expect(audit.events[0]).toMatchObject({
      actor: "vera",
      actorKind: "user",
      action: "user.set-password",
      target: "vera",
    });
    // Back as it was, for the other tests (a write with the new session's CSRF token).
    expect((await change({ as: renewed, body: { current: NEW, password: PASSWORD } })).status).toBe(
      200,
    );
  });

  it("refuses a wrong current password (403), counted as a failed sign-in: 429 once limited", async () => {
    const otto = await t.signIn("otto");
    for (let i = 0; i < 5; i++) {
      const res = await change({ as: otto, body: { current: "not the password", password: NEW } });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: "the current password is wrong" });
    }
    const refusals = (await (
      await t.call("GET", "/api/audit?action=user.set-password-refused&actor=otto", {
        as: SERVICE,
      })
    ).json()) as AuditList;
    expect(refusals.events).toHaveLength(5);
    expect(refusals.events[0]).toMatchObject({
      actor: "otto",
      actorKind: "user",
      action: "user.set-password-refused",
      target: "otto",
    });
    const limited = await change({ as: otto, body: { current: PASSWORD, password: NEW } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    const signIn = await t.call("POST", "/api/session", {
      body: { name: "otto", password: PASSWORD },
    });
    expect(signIn.status).toBe(429);
    // Nothing changed: the session still works, the password is the old one.
    expect((await t.call("GET", "/api/runs", { as: otto })).status).toBe(200);
    await t.store.clearSignInFailures("user:otto");
    await t.signIn("otto", PASSWORD);
  });

  it("refuses a bad new password (400) and a missing field, changing nothing", async () => {
    const vera = await t.signIn("vera");
    for (const [body, message] of [
      [{ current: PASSWORD, password: "short" }, /at least 12 characters/],
      [{ current: PASSWORD, password: " ".repeat(14) }, /only spaces/],
      [{ password: NEW }, /current/],
    ] as const) {
      const res = await change({ as: vera, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
    await t.signIn("vera", PASSWORD);
  });

  it("is for signed-in users: a token is refused (403), the service token has no password (409)", async () => {
    const vera = await t.signIn("vera");
    const token = await t.createToken(vera, "read");
    const byToken = await change({ as: token, body: { current: PASSWORD, password: NEW } });
    expect(byToken.status).toBe(403);
    expect(await byToken.json()).toEqual({
      error: "a password is changed after signing in, not with a token",
    });
    const byService = await change({ as: SERVICE, body: { current: PASSWORD, password: NEW } });
    expect(byService.status).toBe(409);
    expect(await byService.json()).toEqual({
      error: "only a signed-in user has a password to change here",
    });
    // A cookie write needs its CSRF header, as any other.
    expect(
      (await change({ as: vera, body: { current: PASSWORD, password: NEW }, csrf: null })).status,
    ).toBe(403);
    await t.signIn("vera", PASSWORD);
  });
});
