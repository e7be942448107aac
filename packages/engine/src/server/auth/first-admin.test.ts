import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../../tests/support/database";
import type { AuthStore } from "../../storage/auth/auth-store";
import { PostgresAuthStore } from "../../storage/auth/postgres-auth-store";
import { ensureFirstAdmin } from "./first-admin";
import { verifyPassword } from "../../auth/password";

const stores: AuthStore[] = [];

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

const urls = new Map<AuthStore, string>();

async function freshStore(): Promise<AuthStore> {
  const url = await createTestDatabase();
  const store = PostgresAuthStore.connect(url, { max: 1 });
  stores.push(store);
  urls.set(store, url);
  return store;
}

const PASSWORD = "a long enough secret";
const NOW = new Date("2026-03-01T10:00:00.000Z");

describe("ensureFirstAdmin", () => {
  it("does nothing when the environment names no admin", async () => {
    const store = await freshStore();
    expect(await ensureFirstAdmin(store, {}, NOW)).toBeUndefined();
    expect(await store.listUsers()).toEqual([]);
  });

  it("creates the admin when there is no user, once, and records it in the audit trail", async () => {
    const store = await freshStore();
    const env = { LIGNEE_ADMIN_USER: "root", LIGNEE_ADMIN_PASSWORD: PASSWORD };
    const created = await ensureFirstAdmin(store, env, NOW);
    expect(created).toMatchObject({ name: "root", role: "admin", disabledAt: null });
    const found = await store.findUser("root");
    expect(await verifyPassword(PASSWORD, found!.passwordHash!)).toBe(true);
    expect(await store.listAudit({ limit: 10 })).toEqual([
      expect.objectContaining({
        actor: "environment",
        actorKind: "service",
        action: "user.add",
        target: "root",
        at: NOW,
      }),
    ]);
    // Started again, with another password: the admin stays as it is.
    expect(
      await ensureFirstAdmin(store, { ...env, LIGNEE_ADMIN_PASSWORD: "another long secret" }, NOW),
    ).toBeUndefined();
    expect(await store.listUsers()).toHaveLength(1);
    expect(await verifyPassword(PASSWORD, (await store.findUser("root"))!.passwordHash!)).toBe(
      true,
    );
  });

  it("creates none when a user exists, even a disabled one", async () => {
    const store = await freshStore();
    await store.addUser({ name: "alice", role: "admin", passwordHash: null, at: NOW });
    // The store keeps an active admin: disabled by hand.
    const db = new pg.Client({ connectionString: urls.get(store)! });
    await db.connect();
    await db.query(`UPDATE lignee.users SET disabled_at = now()`).finally(() => db.end());
    const env = { LIGNEE_ADMIN_USER: "root", LIGNEE_ADMIN_PASSWORD: PASSWORD };
    expect(await ensureFirstAdmin(store, env, NOW)).toBeUndefined();
    expect((await store.listUsers()).map((u) => u.name)).toEqual(["alice"]);
  });

  it("reads the password file's first line", async () => {
    const store = await freshStore();
    const dir = await mkdtemp(path.join(tmpdir(), "lignee-admin-"));
    const file = path.join(dir, "password");
    await writeFile(file, `${PASSWORD}\n`);
    await ensureFirstAdmin(store, { LIGNEE_ADMIN_USER: "root", LIGNEE_ADMIN_PASSWORD_FILE: file });
    const found = await store.findUser("root");
    expect(await verifyPassword(PASSWORD, found!.passwordHash!)).toBe(true);
  });

  it("refuses bad settings clearly and creates nothing", async () => {
    const store = await freshStore();
    const missing = path.join(tmpdir(), "lignee-no-such-dir", "password");
    for (const [env, message] of [
      [{ LIGNEE_ADMIN_USER: "root" }, /without LIGNEE_ADMIN_PASSWORD.*no default password/],
      [
        { LIGNEE_ADMIN_PASSWORD: PASSWORD },
        /LIGNEE_ADMIN_PASSWORD is set without LIGNEE_ADMIN_USER/,
      ],
      [{ LIGNEE_ADMIN_PASSWORD_FILE: missing }, /LIGNEE_ADMIN_PASSWORD_FILE is set without/],
      [{ LIGNEE_ADMIN_USER: "root", LIGNEE_ADMIN_PASSWORD: "short" }, /at least 12 characters/],
      [
        { LIGNEE_ADMIN_USER: "root admin", LIGNEE_ADMIN_PASSWORD: PASSWORD },
        /LIGNEE_ADMIN_USER: a user name/,
      ],
      [
        { LIGNEE_ADMIN_USER: "root", LIGNEE_ADMIN_PASSWORD_FILE: missing },
        /LIGNEE_ADMIN_PASSWORD_FILE: cannot read/,
      ],
      [
        {
          LIGNEE_ADMIN_USER: "root",
          LIGNEE_ADMIN_PASSWORD: PASSWORD,
          LIGNEE_ADMIN_PASSWORD_FILE: missing,
        },
        /not both/,
      ],
    ] as const) {
      await expect(ensureFirstAdmin(store, env, NOW)).rejects.toMatchObject({
        code: "INVALID_USER",
        message: expect.stringMatching(message),
      });
    }
    expect(await store.listUsers()).toEqual([]);
    expect(await store.listAudit({ limit: 10 })).toEqual([]);
  });
});
