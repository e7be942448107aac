import { createHash } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../../tests/support/database";
import { AuthStoreError } from "../../errors";
import type { AuthStore } from "./auth-store";
import { PostgresAuthStore } from "./postgres-auth-store";

const stores: AuthStore[] = [];
const urls = new Map<AuthStore, string>();

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

async function freshStore(): Promise<AuthStore> {
  const url = await createTestDatabase();
  const store = PostgresAuthStore.connect(url, { max: 2 });
  stores.push(store);
  urls.set(store, url);
  return store;
}

const T0 = new Date("2026-03-01T10:00:00.000Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

function hash(secret: string): Buffer {
  return createHash("sha256").update(secret).digest();
}

/** An admin, so that users of other roles may be added (the first user must be an admin). */
async function addRoot(store: AuthStore) {
  return store.addUser({ name: "root", role: "admin", passwordHash: "scrypt$hash-r", at: T0 });
}

/** Alice, after an admin when she is none. */
async function addAlice(store: AuthStore, role: "viewer" | "operator" | "admin" = "operator") {
  if (role !== "admin" && !(await store.listUsers()).some((u) => u.name === "root")) {
    await addRoot(store);
  }
  return store.addUser({ name: "Alice", role, passwordHash: "scrypt$hash-a", at: T0 });
}

describe("users", () => {
  it("adds, finds whatever the case, and lists users by name", async () => {
    const store = await freshStore();
    expect(await store.hasActiveUsers()).toBe(false);
    const alice = await addAlice(store);
    expect(alice).toEqual({
      id: expect.any(String),
      name: "Alice",
      role: "operator",
      disabledAt: null,
      createdAt: T0,
      lastSignInAt: null,
    });
    await store.addUser({ name: "bob", role: "viewer", passwordHash: null, at: T0 });
    expect(await store.hasActiveUsers()).toBe(true);
    expect(await store.findUser("ALICE")).toEqual({ user: alice, passwordHash: "scrypt$hash-a" });
    expect((await store.findUser("bob"))?.passwordHash).toBeNull();
    expect(await store.findUser("carol")).toBeUndefined();
    expect((await store.listUsers()).map((u) => u.name)).toEqual(["Alice", "bob", "root"]);
  });

  it("refuses a first user who is not an admin (NEEDS_ADMIN), and writes nothing", async () => {
    const store = await freshStore();
    for (const role of ["viewer", "operator"] as const) {
      const refused = store.addUser({ name: "vic", role, passwordHash: null, at: T0 });
      await expect(refused).rejects.toBeInstanceOf(AuthStoreError);
      await expect(refused).rejects.toMatchObject({
        code: "NEEDS_ADMIN",
        message: "the first user must be an admin",
      });
    }
    expect(await store.listUsers()).toEqual([]);
    await addRoot(store);
    expect(
      (await store.addUser({ name: "vic", role: "viewer", passwordHash: null, at: T0 })).role,
    ).toBe("viewer");
  });

  it("refuses a non-admin while no admin is active", async () => {
    const store = await freshStore();
    await addRoot(store);
    // Only a database edited by hand lacks an active admin: the store keeps the last one.
    const db = new pg.Client({ connectionString: urls.get(store)! });
    await db.connect();
    try {
      await db.query(`UPDATE lignee.users SET disabled_at = now()`);
    } finally {
      await db.end();
    }
    await expect(
      store.addUser({ name: "vic", role: "viewer", passwordHash: null, at: T0 }),
    ).rejects.toMatchObject({ code: "NEEDS_ADMIN" });
    expect(
      (await store.addUser({ name: "ada", role: "admin", passwordHash: null, at: T0 })).role,
    ).toBe("admin");
  });

  it("refuses a name taken in any case with a CONFLICT, and writes nothing", async () => {
    const store = await freshStore();
    await addAlice(store);
    const taken = store.addUser({ name: "aLiCe", role: "admin", passwordHash: null, at: T0 });
    await expect(taken).rejects.toBeInstanceOf(AuthStoreError);
    await expect(taken).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await store.listUsers()).toHaveLength(2);
  });

  it("sets the role and records sign-ins", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    expect((await store.setRole("alice", "admin"))?.role).toBe("admin");
    expect(await store.setRole("nobody", "admin")).toBeUndefined();
    await store.recordSignIn(alice.id, at(HOUR));
    expect((await store.findUser("alice"))?.user).toMatchObject({
      role: "admin",
      lastSignInAt: at(HOUR),
    });
  });

  it("sets the password and ends the user's sessions, not others'", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    const bob = await store.addUser({
      name: "bob",
      role: "viewer",
      passwordHash: "scrypt$hash-bob",
      at: T0,
    });
    await store.createSession({
      userId: alice.id,
      passwordHash: "scrypt$hash-a",
      secretHash: hash("a"),
      at: T0,
      expiresAt: at(12 * HOUR),
    });
    await store.createSession({
      userId: bob.id,
      passwordHash: "scrypt$hash-bob",
      secretHash: hash("b"),
      at: T0,
      expiresAt: at(12 * HOUR),
    });
    expect(await store.setPassword("ALICE", "scrypt$hash-b", at(MINUTE))).toBe(true);
    expect(await store.setPassword("nobody", "scrypt$hash-b", at(MINUTE))).toBe(false);
    expect((await store.findUser("alice"))?.passwordHash).toBe("scrypt$hash-b");
    expect(await store.touchSession(hash("a"), at(2 * MINUTE), HOUR)).toBeUndefined();
    expect(await store.touchSession(hash("b"), at(2 * MINUTE), HOUR)).toBeDefined();
  });

  it("forgets the user's failed sign-ins with its new password, not others'", async () => {
    const store = await freshStore();
    await addAlice(store);
    await store.recordSignInFailure(["user:alice", "address:192.0.2.1"], T0);
    await store.recordSignInFailure(["user:bob"], T0);
    expect(await store.setPassword("Alice", "scrypt$hash-b", at(MINUTE))).toBe(true);
    expect(await store.signInFailures(["user:alice", "user:bob", "address:192.0.2.1"], T0)).toEqual(
      new Map([
        ["user:bob", { count: 1, oldest: T0 }],
        ["address:192.0.2.1", { count: 1, oldest: T0 }],
      ]),
    );
  });

  it("disables a user: no longer active, its sessions ended and its tokens revoked", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    await store.createSession({
      userId: alice.id,
      passwordHash: "scrypt$hash-a",
      secretHash: hash("s"),
      at: T0,
      expiresAt: at(12 * HOUR),
    });
    const token = await store.createToken({
      userId: alice.id,
      label: "ci",
      scope: "read",
      secretHash: hash("lgn_t"),
      at: T0,
    });
    const disabled = await store.disableUser("alice", at(HOUR));
    expect(disabled).toMatchObject({ name: "Alice", disabledAt: at(HOUR) });
    expect((await store.findUser("alice"))?.user.disabledAt).toEqual(at(HOUR));
    expect(await store.touchSession(hash("s"), at(HOUR), HOUR)).toBeUndefined();
    expect(await store.useToken(hash("lgn_t"), at(HOUR))).toBeUndefined();
    expect(await store.listTokens("alice")).toEqual([{ ...token, revokedAt: at(HOUR) }]);
    // Disabling again keeps the first date; an unknown user is no user.
    expect((await store.disableUser("alice", at(2 * HOUR)))?.disabledAt).toEqual(at(HOUR));
    expect(await store.disableUser("nobody", at(HOUR))).toBeUndefined();
  });
});

describe("enabling a user", () => {
  it("makes a disabled user active again, its revoked tokens staying revoked", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    await store.createToken({
      userId: alice.id,
      label: "ci",
      scope: "read",
      secretHash: hash("lgn_t"),
      at: T0,
    });
    await store.disableUser("alice", at(HOUR));
    const enabled = await store.enableUser("ALICE");
    expect(enabled).toEqual({ user: { ...alice, disabledAt: null }, changed: true });
    expect((await store.findUser("alice"))?.user.disabledAt).toBeNull();
    expect(await store.useToken(hash("lgn_t"), at(2 * HOUR))).toBeUndefined();
    expect((await store.listTokens("alice"))[0]?.revokedAt).toEqual(at(HOUR));
    // An active user stays as it is, and says nothing changed; an unknown one is no user.
    expect(await store.enableUser("alice")).toEqual({
      user: { ...alice, disabledAt: null },
      changed: false,
    });
    expect(await store.enableUser("nobody")).toBeUndefined();
  });

  it("refuses to enable a user who is no admin while no admin is active (NEEDS_ADMIN)", async () => {
    const store = await freshStore();
    await addAlice(store, "viewer");
    await store.disableUser("alice", T0);
    // Only a database edited by hand lacks an active admin: the store keeps the last one.
    const db = new pg.Client({ connectionString: urls.get(store)! });
    await db.connect();
    try {
      await db.query(`UPDATE lignee.users SET disabled_at = now() WHERE name = 'root'`);
    } finally {
      await db.end();
    }
    await expect(store.enableUser("alice")).rejects.toMatchObject({
      code: "NEEDS_ADMIN",
      message: "the first user must be an admin",
    });
    expect((await store.findUser("alice"))?.user.disabledAt).toEqual(T0);
    expect((await store.enableUser("root"))?.changed).toBe(true);
    expect((await store.enableUser("alice"))?.changed).toBe(true);
  });
});

describe("a user changing its own password", () => {
  it("sets it, ends all the user's sessions, makes the caller's new one, and forgets its failures", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    const session = (secret: string) =>
      store.createSession({
        userId: alice.id,
        passwordHash: "scrypt$hash-a",
        secretHash: hash(secret),
        at: T0,
        expiresAt: at(12 * HOUR),
      });
    await session("this");
    await session("other");
    await store.recordSignInFailure(["user:alice"], T0);
    const changed = await store.changeOwnPassword({
      userId: alice.id,
      currentHash: "scrypt$hash-a",
      passwordHash: "scrypt$hash-new",
      newSecretHash: hash("renewed"),
      at: at(MINUTE),
      expiresAt: at(MINUTE + 12 * HOUR),
    });
    expect(changed).toBe(true);
    expect((await store.findUser("alice"))?.passwordHash).toBe("scrypt$hash-new");
    expect(await store.touchSession(hash("this"), at(2 * MINUTE), HOUR)).toBeUndefined();
    expect(await store.touchSession(hash("other"), at(2 * MINUTE), HOUR)).toBeUndefined();
    expect(await store.touchSession(hash("renewed"), at(2 * MINUTE), HOUR)).toMatchObject({
      createdAt: at(MINUTE),
      expiresAt: at(MINUTE + 12 * HOUR),
    });
    expect(await store.signInFailures(["user:alice"], T0)).toEqual(new Map());
  });

  it("changes nothing when the password was changed since it was checked", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    await store.setPassword("alice", "scrypt$hash-admin", T0);
    const changed = await store.changeOwnPassword({
      userId: alice.id,
      currentHash: "scrypt$hash-a",
      passwordHash: "scrypt$hash-new",
      newSecretHash: hash("renewed"),
      at: at(MINUTE),
      expiresAt: at(MINUTE + 12 * HOUR),
    });
    expect(changed).toBe(false);
    expect(await store.touchSession(hash("renewed"), at(2 * MINUTE), HOUR)).toBeUndefined();
    expect((await store.findUser("alice"))?.passwordHash).toBe("scrypt$hash-admin");
  });
});

describe("a sign-in racing a password change", () => {
  /** A raw connection to the store's database, for a transaction held open. */
  async function rawClient(store: AuthStore): Promise<pg.Client> {
    const db = new pg.Client({ connectionString: urls.get(store)! });
    await db.connect();
    return db;
  }

  /** Resolves once a statement of this database waits for a lock, or `done` settles first. */
  async function blockedOrDone(db: pg.Client, done: Promise<unknown>): Promise<void> {
    let settled = false;
    void done.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (rows[0]!.n > 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async function sessions(db: pg.Client, userId: string): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM lignee.sessions WHERE user_id = $1::bigint`,
      [userId],
    );
    return rows[0]!.n;
  }

  it("makes no session with the old password while a change of it is being committed", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    const db = await rawClient(store);
    try {
      // A change in one statement, not committed yet: the row is locked, its sessions deleted.
      await db.query("BEGIN");
      await db.query(
        `WITH u AS (UPDATE lignee.users SET password_hash = 'scrypt$hash-new'
                    WHERE id = $1::bigint RETURNING id)
         DELETE FROM lignee.sessions s USING u WHERE s.user_id = u.id`,
        [alice.id],
      );
      const signIn = store.createSession({
        userId: alice.id,
        passwordHash: "scrypt$hash-a",
        secretHash: hash("old"),
        at: T0,
        expiresAt: at(12 * HOUR),
      });
      await blockedOrDone(db, signIn);
      await db.query("COMMIT");
      expect(await signIn).toBe(false);
      expect(await sessions(db, alice.id)).toBe(0);
    } finally {
      await db.end();
    }
  });

  for (const change of ["setPassword", "changeOwnPassword"] as const) {
    it(`ends with ${change} the session of a sign-in that read the old password first`, async () => {
      const store = await freshStore();
      const alice = await addAlice(store);
      const db = await rawClient(store);
      try {
        // A sign-in that has read the user (FOR SHARE) and inserted its session, uncommitted.
        await db.query("BEGIN");
        await db.query(
          `INSERT INTO lignee.sessions (secret_hash, user_id, created_at, last_seen_at, expires_at)
           SELECT $1, u.id, $3, $3, $3::timestamptz + interval '12 hours' FROM lignee.users u
           WHERE u.id = $2::bigint AND u.password_hash = 'scrypt$hash-a' FOR SHARE OF u`,
          [hash("old"), alice.id, T0],
        );
        const changed =
          change === "setPassword"
            ? store.setPassword("alice", "scrypt$hash-new", at(MINUTE))
            : store.changeOwnPassword({
                userId: alice.id,
                currentHash: "scrypt$hash-a",
                passwordHash: "scrypt$hash-new",
                newSecretHash: hash("renewed"),
                at: at(MINUTE),
                expiresAt: at(MINUTE + 12 * HOUR),
              });
        await blockedOrDone(db, changed);
        await db.query("COMMIT");
        expect(await changed).toBe(true);
        expect(await store.touchSession(hash("old"), at(2 * MINUTE), HOUR)).toBeUndefined();
        expect(await sessions(db, alice.id)).toBe(change === "setPassword" ? 0 : 1);
      } finally {
        await db.end();
      }
    });
  }

  it("leaves no session made with the old password, whatever the order, over a few rounds", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    const db = await rawClient(store);
    try {
      let current = "scrypt$hash-a";
      for (let round = 0; round < 10; round++) {
        const next = `scrypt$hash-${round}`;
        const attempts = [0, 1, 2].map((i) =>
          store.createSession({
            userId: alice.id,
            passwordHash: current,
            secretHash: hash(`old-${round}-${i}`),
            at: T0,
            expiresAt: at(12 * HOUR),
          }),
        );
        await store.setPassword("alice", next, at(MINUTE));
        await Promise.all(attempts);
        expect(await sessions(db, alice.id), `round ${round}`).toBe(0);
        current = next;
      }
    } finally {
      await db.end();
    }
  });
});

describe("sessions", () => {
  it("makes a session only while the user has the password hash the sign-in verified", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    const session = { userId: alice.id, at: T0, expiresAt: at(12 * HOUR) };
    // The password was set while the sign-in checked the old one: no session.
    await store.setPassword("alice", "scrypt$hash-new", T0);
    expect(
      await store.createSession({
        ...session,
        passwordHash: "scrypt$hash-a",
        secretHash: hash("old"),
      }),
    ).toBe(false);
    expect(await store.touchSession(hash("old"), T0, HOUR)).toBeUndefined();
    expect(
      await store.createSession({
        ...session,
        passwordHash: "scrypt$hash-new",
        secretHash: hash("new"),
      }),
    ).toBe(true);
    // A user disabled meanwhile gets none either, nor a token.
    await store.disableUser("alice", T0);
    expect(
      await store.createSession({
        ...session,
        passwordHash: "scrypt$hash-new",
        secretHash: hash("x"),
      }),
    ).toBe(false);
    await expect(
      store.createToken({
        userId: alice.id,
        label: "ci",
        scope: "read",
        secretHash: hash("t"),
        at: T0,
      }),
    ).rejects.toThrow(AuthStoreError);
    expect(await store.listTokens("alice")).toEqual([]);
  });

  it("refuses roles, scopes and actor kinds it does not know", async () => {
    const store = await freshStore();
    await addRoot(store);
    await expect(
      store.addUser({ name: "boss", role: "root" as "admin", passwordHash: null, at: T0 }),
    ).rejects.toThrow(/users_role_check/);
    const alice = await addAlice(store);
    await expect(
      store.createToken({
        userId: alice.id,
        label: "ci",
        scope: "everything" as "read",
        secretHash: hash("t"),
        at: T0,
      }),
    ).rejects.toThrow(/api_tokens_scope_check/);
    await expect(
      store.recordAudit({
        actor: "x",
        actorKind: "robot" as "cli",
        action: "a",
        target: null,
        detail: {},
      }),
    ).rejects.toThrow(/audit_events_actor_kind_check/);
  });

  it("finds a live session by its secret's hash and marks it seen at most once a minute", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    await store.createSession({
      userId: alice.id,
      passwordHash: "scrypt$hash-a",
      secretHash: hash("s"),
      at: T0,
      expiresAt: at(12 * HOUR),
    });
    const seen = await store.touchSession(hash("s"), at(30_000), HOUR);
    expect(seen).toEqual({ user: alice, createdAt: T0, lastSeenAt: T0, expiresAt: at(12 * HOUR) });
    expect((await store.touchSession(hash("s"), at(2 * MINUTE), HOUR))?.lastSeenAt).toEqual(
      at(2 * MINUTE),
    );
    expect(
      (await store.touchSession(hash("s"), at(2 * MINUTE + 10_000), HOUR))?.lastSeenAt,
    ).toEqual(at(2 * MINUTE));
    expect(await store.touchSession(hash("other"), at(2 * MINUTE), HOUR)).toBeUndefined();
  });

  it("refuses a session idle for longer than the idle time", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    await store.createSession({
      userId: alice.id,
      passwordHash: "scrypt$hash-a",
      secretHash: hash("s"),
      at: T0,
      expiresAt: at(12 * HOUR),
    });
    expect(await store.touchSession(hash("s"), at(50 * MINUTE), HOUR)).toBeDefined();
    // Seen at +50 min: alive until +110 min.
    expect(await store.touchSession(hash("s"), at(109 * MINUTE), HOUR)).toBeDefined();
    expect(await store.touchSession(hash("s"), at(170 * MINUTE), HOUR)).toBeUndefined();
  });

  it("refuses a session past its absolute expiry, however recently seen", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    await store.createSession({
      userId: alice.id,
      passwordHash: "scrypt$hash-a",
      secretHash: hash("s"),
      at: T0,
      expiresAt: at(2 * HOUR),
    });
    for (let m = 30; m < 120; m += 30) {
      expect(await store.touchSession(hash("s"), at(m * MINUTE), HOUR)).toBeDefined();
    }
    expect(await store.touchSession(hash("s"), at(2 * HOUR), HOUR)).toBeUndefined();
  });

  it("ends a session when it is deleted (signing out)", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    await store.createSession({
      userId: alice.id,
      passwordHash: "scrypt$hash-a",
      secretHash: hash("s"),
      at: T0,
      expiresAt: at(HOUR),
    });
    await store.deleteSession(hash("s"));
    expect(await store.touchSession(hash("s"), at(MINUTE), HOUR)).toBeUndefined();
  });

  it("sees the user's current role", async () => {
    const store = await freshStore();
    const alice = await addAlice(store, "viewer");
    await store.createSession({
      userId: alice.id,
      passwordHash: "scrypt$hash-a",
      secretHash: hash("s"),
      at: T0,
      expiresAt: at(HOUR),
    });
    await store.setRole("alice", "admin");
    expect((await store.touchSession(hash("s"), at(MINUTE), HOUR))?.user.role).toBe("admin");
  });
});

describe("API tokens", () => {
  it("creates, finds by hash with its user, and marks it used at most once a minute", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    const token = await store.createToken({
      userId: alice.id,
      label: "laptop",
      scope: "operate",
      secretHash: hash("lgn_1"),
      at: T0,
    });
    expect(token).toEqual({
      id: expect.any(String),
      userName: "Alice",
      label: "laptop",
      scope: "operate",
      createdAt: T0,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(await store.useToken(hash("lgn_1"), at(MINUTE))).toEqual({
      token: { ...token, lastUsedAt: at(MINUTE) },
      user: alice,
    });
    expect((await store.useToken(hash("lgn_1"), at(MINUTE + 10_000)))?.token.lastUsedAt).toEqual(
      at(MINUTE),
    );
    expect((await store.listTokens())[0]?.lastUsedAt).toEqual(at(MINUTE));
    expect((await store.useToken(hash("lgn_1"), at(3 * MINUTE)))?.token.lastUsedAt).toEqual(
      at(3 * MINUTE),
    );
    expect(await store.useToken(hash("lgn_unknown"), at(MINUTE))).toBeUndefined();
  });

  it("lists tokens newest first, of one user when named, revoked ones too", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    const bob = await store.addUser({
      name: "bob",
      role: "viewer",
      passwordHash: "scrypt$hash-bob",
      at: T0,
    });
    const a1 = await store.createToken({
      userId: alice.id,
      label: "a1",
      scope: "read",
      secretHash: hash("1"),
      at: T0,
    });
    const b1 = await store.createToken({
      userId: bob.id,
      label: "b1",
      scope: "read",
      secretHash: hash("2"),
      at: T0,
    });
    const a2 = await store.createToken({
      userId: alice.id,
      label: "a2",
      scope: "operate",
      secretHash: hash("3"),
      at: T0,
    });
    await store.revokeToken(a1.id, at(MINUTE));
    expect((await store.listTokens()).map((t) => t.label)).toEqual(["a2", "b1", "a1"]);
    expect(await store.listTokens("ALICE")).toEqual([a2, { ...a1, revokedAt: at(MINUTE) }]);
    expect(await store.listTokens("nobody")).toEqual([]);
    expect(b1.userName).toBe("bob");
  });

  it("revokes a token at once; only the named user's when a user is named", async () => {
    const store = await freshStore();
    const alice = await addAlice(store);
    const bob = await store.addUser({
      name: "bob",
      role: "viewer",
      passwordHash: "scrypt$hash-bob",
      at: T0,
    });
    const token = await store.createToken({
      userId: alice.id,
      label: "x",
      scope: "read",
      secretHash: hash("t"),
      at: T0,
    });
    expect(await store.revokeToken(token.id, at(MINUTE), bob.name)).toBeUndefined();
    expect(await store.useToken(hash("t"), at(MINUTE))).toBeDefined();
    // Answered as revoked, with its user and label (what the audit trail says).
    expect(await store.revokeToken(token.id, at(MINUTE), "alice")).toEqual({
      ...token,
      lastUsedAt: at(MINUTE),
      revokedAt: at(MINUTE),
    });
    expect(await store.useToken(hash("t"), at(2 * MINUTE))).toBeUndefined();
    expect(await store.revokeToken(token.id, at(3 * MINUTE))).toBeUndefined();
    expect(await store.revokeToken("999999", at(MINUTE))).toBeUndefined();
    expect(await store.revokeToken("not-an-id", at(MINUTE))).toBeUndefined();
  });

  it("refuses a token of an unknown user", async () => {
    const store = await freshStore();
    await expect(
      store.createToken({
        userId: "4242",
        label: "x",
        scope: "read",
        secretHash: hash("t"),
        at: T0,
      }),
    ).rejects.toMatchObject({ code: "INVALID_USER" });
  });
});

describe("failed sign-ins", () => {
  it("counts failures per key since a time, with the oldest, and forgets a key", async () => {
    const store = await freshStore();
    await store.recordSignInFailure(["user:alice", "address:192.0.2.1"], at(0));
    await store.recordSignInFailure(["user:alice", "address:192.0.2.1"], at(5 * MINUTE));
    await store.recordSignInFailure(["user:bob", "address:192.0.2.1"], at(10 * MINUTE));
    const since = at(MINUTE);
    const counts = await store.signInFailures(
      ["user:alice", "address:192.0.2.1", "user:carol"],
      since,
    );
    expect(counts).toEqual(
      new Map([
        ["user:alice", { count: 1, oldest: at(5 * MINUTE) }],
        ["address:192.0.2.1", { count: 2, oldest: at(5 * MINUTE) }],
      ]),
    );
    await store.clearSignInFailures("user:alice");
    expect(
      (await store.signInFailures(["user:alice", "user:bob"], at(0))).get("user:alice"),
    ).toBeUndefined();
    expect((await store.signInFailures(["user:bob"], at(0))).get("user:bob")?.count).toBe(1);
  });
});

describe("reserved sign-in attempts", () => {
  it("answer the failures before them, oldest first, and are forgotten once released", async () => {
    const store = await freshStore();
    const keys = ["user:alice", "address:192.0.2.1"];
    await store.recordSignInFailure(keys, at(0));
    await store.recordSignInFailure(["user:alice"], at(2 * MINUTE));
    const first = await store.reserveSignInAttempt(keys, at(5 * MINUTE), at(MINUTE));
    expect(first.earlier).toEqual(new Map([["user:alice", [at(2 * MINUTE)]]]));
    const second = await store.reserveSignInAttempt(keys, at(6 * MINUTE), at(MINUTE));
    expect(second.earlier).toEqual(
      new Map([
        ["user:alice", [at(2 * MINUTE), at(5 * MINUTE)]],
        ["address:192.0.2.1", [at(5 * MINUTE)]],
      ]),
    );
    await store.releaseSignInAttempt(first);
    await store.releaseSignInAttempt(second);
    expect(await store.signInFailures(keys, at(MINUTE))).toEqual(
      new Map([["user:alice", { count: 1, oldest: at(2 * MINUTE) }]]),
    );
  });
});

describe("audit trail", () => {
  it("records lines and lists them newest first, by pages, filtered by actor and action", async () => {
    const store = await freshStore();
    const first = await store.recordAudit({
      actor: "alice",
      actorKind: "user",
      action: "run.launch",
      target: "r1",
      detail: { selection: "raw/offres", partitions: ["2024-01-01"] },
      at: at(0),
    });
    expect(first).toEqual({
      id: expect.any(String),
      at: at(0),
      actor: "alice",
      actorKind: "user",
      action: "run.launch",
      target: "r1",
      detail: { selection: "raw/offres", partitions: ["2024-01-01"] },
    });
    await store.recordAudit({
      actor: "bob",
      actorKind: "token",
      action: "run.cancel",
      target: "r1",
      detail: {},
      at: at(1),
    });
    await store.recordAudit({
      actor: "alice",
      actorKind: "user",
      action: "run.cancel",
      target: null,
      detail: {},
      at: at(2),
    });
    const noDate = await store.recordAudit({
      actor: "root",
      actorKind: "cli",
      action: "user.add",
      target: "carol",
      detail: {},
    });
    expect(noDate.at).toBeInstanceOf(Date);

    const all = await store.listAudit({ limit: 100 });
    expect(all.map((a) => a.action)).toEqual([
      "user.add",
      "run.cancel",
      "run.cancel",
      "run.launch",
    ]);
    const page1 = await store.listAudit({ limit: 2 });
    const page2 = await store.listAudit({ limit: 2, before: page1[1]!.id });
    expect([...page1, ...page2]).toEqual(all);
    expect(await store.listAudit({ limit: 2, before: all[3]!.id })).toEqual([]);
    expect((await store.listAudit({ limit: 10, actor: "alice" })).map((a) => a.action)).toEqual([
      "run.cancel",
      "run.launch",
    ]);
    expect(
      (await store.listAudit({ limit: 10, action: "run.cancel" })).map((a) => a.actor),
    ).toEqual(["alice", "bob"]);
    // An action's prefix before a dot matches its actions; a part of a word matches nothing.
    expect((await store.listAudit({ limit: 10, action: "run" })).map((a) => a.action)).toEqual([
      "run.cancel",
      "run.cancel",
      "run.launch",
    ]);
    expect(await store.listAudit({ limit: 10, action: "ru" })).toEqual([]);
    expect(await store.listAudit({ limit: 10, action: "run.can" })).toEqual([]);
    expect(await store.listAudit({ limit: 10, action: "run%" })).toEqual([]);
    expect(await store.listAudit({ limit: 10, actor: "alice", action: "run.cancel" })).toHaveLength(
      1,
    );
    expect(await store.listAudit({ limit: 10, before: "nope" })).toEqual([]);
  });

  it("filters the audit trail by actor in any case", async () => {
    const store = await freshStore();
    await store.recordAudit({
      actor: "BOB",
      actorKind: "user",
      action: "session.sign-in-refused",
      target: null,
      detail: {},
    });
    expect(await store.listAudit({ limit: 10, actor: "bob" })).toHaveLength(1);
  });
});
