import { Readable } from "node:stream";
import pg from "pg";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../../../tests/support/database";
import { verifyPassword } from "../../../auth/password";
import { sha256 } from "../../../auth/secrets";
import { isBadInput } from "../../../errors";
import type { AuthStore } from "../../../storage/auth/auth-store";
import { PostgresAuthStore } from "../../../storage/auth/postgres-auth-store";
import { readPasswordFrom } from "../../password-input";
import { usersAddCommand } from "./add";
import { usersDisableCommand } from "./disable";
import { usersEnableCommand } from "./enable";
import { usersListCommand } from "./list";
import { usersSetPasswordCommand } from "./set-password";
import { usersSetRoleCommand } from "./set-role";
import { usersTokensCreateCommand } from "./tokens/create";
import { usersTokensListCommand } from "./tokens/list";
import { usersTokensRevokeCommand } from "./tokens/revoke";
import type { UsersCli } from "./users-cli";

/** The `lignee users` commands over a real database, with the password given as piped in. */
const stores: AuthStore[] = [];
let store: AuthStore;
let url: string;
let out: string[];
let err: string[];
const NOW = new Date("2026-03-01T10:00:00.000Z");
const PASSWORD = "a long enough secret";

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

beforeEach(async () => {
  url = await createTestDatabase();
  store = PostgresAuthStore.connect(url, { max: 1 });
  stores.push(store);
  out = [];
  err = [];
});

function cli(): UsersCli {
  return {
    store,
    io: { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false },
    actor: "deploy",
    now: () => NOW,
  };
}

const given =
  (password: string): (() => Promise<string>) =>
  () =>
    Promise.resolve(password);

const notAsked = (): Promise<string> => Promise.reject(new Error("the password was asked for"));

async function badInput(work: Promise<number>, message: RegExp): Promise<void> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isBadInput(error), String(error)).toBe(true);
  expect((error as Error).message).toMatch(message);
}

/** An admin added to the store directly (no audit line, no output): the first user must be one. */
async function addRoot(): Promise<void> {
  await store.addUser({ name: "root", role: "admin", passwordHash: null, at: NOW });
}

async function addAlice(role = "operator"): Promise<void> {
  if (role !== "admin" && !(await store.findUser("root"))) await addRoot();
  expect(await usersAddCommand(cli(), "alice", { role }, given(PASSWORD))).toBe(0);
}

describe("lignee users add", () => {
  it("adds a user with a hashed password and records it in the audit trail", async () => {
    await addAlice("admin");
    expect(out).toEqual(["Added user alice (admin)."]);
    const found = await store.findUser("alice");
    expect(found?.user.role).toBe("admin");
    expect(found?.passwordHash).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, found!.passwordHash!)).toBe(true);
    expect(await store.listAudit({ limit: 10 })).toEqual([
      expect.objectContaining({
        actor: "deploy",
        actorKind: "cli",
        action: "user.add",
        target: "alice",
        detail: { role: "admin" },
      }),
    ]);
  });

  it("refuses bad input as bad input, and writes nothing", async () => {
    await addAlice();
    await badInput(usersAddCommand(cli(), "ALICE", { role: "viewer" }, notAsked), /already exists/);
    await badInput(usersAddCommand(cli(), "bob smith", { role: "viewer" }, notAsked), /1 to 64/);
    await badInput(usersAddCommand(cli(), "bob", { role: "root" }, notAsked), /unknown role/);
    await badInput(
      usersAddCommand(cli(), "bob", { role: "viewer" }, given("short")),
      /at least 12 characters/,
    );
    expect((await store.listUsers()).map((u) => u.name)).toEqual(["alice", "root"]);
    expect(await store.listAudit({ limit: 10 })).toHaveLength(1);
  });

  it("refuses a first user who is no admin as bad input, and writes nothing", async () => {
    await badInput(
      usersAddCommand(cli(), "vic", { role: "viewer" }, given(PASSWORD)),
      /^the first user must be an admin: add one with --role admin$/,
    );
    expect(await store.listUsers()).toEqual([]);
    expect(await store.listAudit({ limit: 10 })).toEqual([]);
  });
});

describe("lignee users list", () => {
  it("prints a table, or JSON", async () => {
    expect(await usersListCommand(cli(), {})).toBe(0);
    expect(out[0]).toMatch(/^No user yet/);
    await addAlice();
    await store.addUser({ name: "bob", role: "viewer", passwordHash: null, at: NOW });
    await store.disableUser("bob", NOW);
    out = [];
    await usersListCommand(cli(), {});
    expect(out[0]!.split("\n")).toEqual([
      "NAME   ROLE      STATUS                      CREATED            LAST SIGN-IN",
      "alice  operator  active                      2026-03-01 10:00Z  -",
      "bob    viewer    disabled 2026-03-01 10:00Z  2026-03-01 10:00Z  -",
      "root   admin     active                      2026-03-01 10:00Z  -",
    ]);
    out = [];
    await usersListCommand(cli(), { json: true });
    expect(JSON.parse(out[0]!)).toEqual({
      users: [
        {
          name: "alice",
          role: "operator",
          disabled: false,
          createdAt: NOW.toISOString(),
          lastSignInAt: null,
        },
        {
          name: "bob",
          role: "viewer",
          disabled: true,
          createdAt: NOW.toISOString(),
          lastSignInAt: null,
        },
        {
          name: "root",
          role: "admin",
          disabled: false,
          createdAt: NOW.toISOString(),
          lastSignInAt: null,
        },
      ],
    });
  });
});

describe("lignee users disable / set-password / set-role", () => {
  it("disables a user: its sessions end, its tokens are revoked; once", async () => {
    await addAlice();
    const alice = (await store.findUser("alice"))!.user;
    await store.createSession({
      userId: alice.id,
      passwordHash: (await store.findUser("alice"))!.passwordHash!,
      secretHash: sha256("s"),
      at: NOW,
      expiresAt: new Date(NOW.getTime() + 3_600_000),
    });
    await usersTokensCreateCommand(cli(), "alice", { scope: "read" });
    expect(await usersDisableCommand(cli(), "Alice")).toBe(0);
    expect(await store.touchSession(sha256("s"), NOW, 3_600_000)).toBeUndefined();
    expect((await store.listTokens())[0]?.revokedAt).toEqual(NOW);
    expect(await usersDisableCommand(cli(), "alice")).toBe(0);
    expect(out.at(-1)).toBe("alice is already disabled.");
    const actions = (await store.listAudit({ limit: 10 })).map((a) => a.action);
    expect(actions).toEqual(["user.disable", "token.create", "user.add"]);
    await badInput(usersDisableCommand(cli(), "nobody"), /no user named "nobody"/);
  });

  it("sets a password (not asking it for an unknown user) and a role", async () => {
    await addAlice();
    expect(await usersSetPasswordCommand(cli(), "alice", given("another long secret"))).toBe(0);
    const hash = (await store.findUser("alice"))!.passwordHash!;
    expect(await verifyPassword("another long secret", hash)).toBe(true);
    await badInput(usersSetPasswordCommand(cli(), "nobody", notAsked), /no user named/);
    await badInput(usersSetPasswordCommand(cli(), "alice", given("short")), /at least 12/);
    expect((await store.findUser("alice"))!.passwordHash).toBe(hash);

    expect(await usersSetRoleCommand(cli(), "alice", "viewer")).toBe(0);
    expect(out.at(-1)).toBe("alice is now viewer (was operator).");
    await badInput(usersSetRoleCommand(cli(), "alice", "root"), /unknown role/);
    await badInput(usersSetRoleCommand(cli(), "nobody", "admin"), /no user named/);
    expect((await store.findUser("alice"))!.user.role).toBe("viewer");
    expect((await store.listAudit({ limit: 10 }))[0]).toMatchObject({
      action: "user.set-role",
      target: "alice",
      detail: { role: "viewer", previous: "operator" },
    });
  });
});

describe("lignee users enable", () => {
  it("lets a disabled user sign in again, its tokens staying revoked; once", async () => {
    await addAlice();
    await usersTokensCreateCommand(cli(), "alice", { scope: "read" });
    await usersDisableCommand(cli(), "alice");
    expect(await usersEnableCommand(cli(), "ALICE")).toBe(0);
    expect(out.at(-1)).toBe(
      "Enabled alice: it can sign in again; its revoked tokens stay revoked.",
    );
    expect((await store.findUser("alice"))!.user.disabledAt).toBeNull();
    expect((await store.listTokens("alice"))[0]?.revokedAt).toEqual(NOW);
    expect(await usersEnableCommand(cli(), "alice")).toBe(0);
    expect(out.at(-1)).toBe("alice is already active.");
    expect((await store.listAudit({ limit: 1 }))[0]).toMatchObject({
      actor: "deploy",
      actorKind: "cli",
      action: "user.enable",
      target: "alice",
    });
    expect(
      (await store.listAudit({ limit: 10 })).filter((a) => a.action === "user.enable"),
    ).toHaveLength(1);
    await badInput(usersEnableCommand(cli(), "nobody"), /no user named "nobody"/);
  });

  it("refuses a user who is no admin while no admin is active, saying what to do", async () => {
    await addAlice("viewer");
    await usersDisableCommand(cli(), "alice");
    // Only a database edited by hand lacks an active admin: the store keeps the last one.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      await db.query(`UPDATE lignee.users SET disabled_at = now() WHERE name = 'root'`);
    } finally {
      await db.end();
    }
    await badInput(
      usersEnableCommand(cli(), "alice"),
      /^the first user must be an admin: enable an admin first, or add one with --role admin$/,
    );
    expect((await store.findUser("alice"))!.user.disabledAt).toEqual(NOW);
  });

  it("set-password of a disabled user says it stays disabled", async () => {
    await addAlice();
    await usersDisableCommand(cli(), "alice");
    expect(await usersSetPasswordCommand(cli(), "alice", given("another long secret"))).toBe(0);
    expect(out.at(-1)).toBe(
      "Set the password of alice; its sessions ended. alice stays disabled: lignee users enable alice lets it sign in.",
    );
    expect((await store.findUser("alice"))!.user.disabledAt).toEqual(NOW);
  });
});

describe("the last active admin", () => {
  it("is neither disabled nor demoted, and nothing is recorded", async () => {
    await addAlice("admin");
    await badInput(usersDisableCommand(cli(), "alice"), /"alice" is the last active admin/);
    await badInput(
      usersSetRoleCommand(cli(), "alice", "operator"),
      /"alice" is the last active admin/,
    );
    expect((await store.findUser("alice"))!.user).toMatchObject({
      role: "admin",
      disabledAt: null,
    });
    expect((await store.listAudit({ limit: 10 })).map((a) => a.action)).toEqual(["user.add"]);
    expect(await usersSetRoleCommand(cli(), "alice", "admin")).toBe(0);
  });
});

describe("lignee users tokens", () => {
  it("creates a token whose secret is printed alone, once, and works", async () => {
    await addAlice();
    expect(await usersTokensCreateCommand(cli(), "alice", { scope: "operate", label: "ci" })).toBe(
      0,
    );
    expect(out).toHaveLength(2);
    const secret = out[1]!;
    expect(secret).toMatch(/^lgn_[A-Za-z0-9_-]{43}$/);
    expect(err.join("\n")).toMatch(/Created token \d+ of alice \(scope operate, label "ci"\)/);
    const used = await store.useToken(sha256(secret), NOW);
    expect(used?.token).toMatchObject({ label: "ci", scope: "operate", userName: "alice" });
    expect((await store.listAudit({ limit: 1 }))[0]).toMatchObject({
      action: "token.create",
      target: used!.token.id,
      detail: { user: "alice", label: "ci", scope: "operate" },
    });
  });

  it("refuses a bad scope or label, an unknown or disabled user", async () => {
    await addAlice();
    await badInput(usersTokensCreateCommand(cli(), "alice", { scope: "admin" }), /unknown scope/);
    await badInput(
      usersTokensCreateCommand(cli(), "alice", { scope: "read", label: "" }),
      /label has 1 to 100/,
    );
    await badInput(usersTokensCreateCommand(cli(), "nobody", { scope: "read" }), /no user/);
    await store.addUser({ name: "vic", role: "viewer", passwordHash: null, at: NOW });
    await badInput(
      usersTokensCreateCommand(cli(), "vic", { scope: "operate" }),
      /^a viewer's tokens have scope read: scope operate acts as an operator$/,
    );
    await store.disableUser("alice", NOW);
    await badInput(usersTokensCreateCommand(cli(), "alice", { scope: "read" }), /is disabled/);
    expect(await store.listTokens()).toEqual([]);
  });

  it("lists tokens with their last use, and revokes them", async () => {
    await addAlice();
    await usersTokensCreateCommand(cli(), "alice", { scope: "read", label: "laptop" });
    const secret = out.at(-1)!;
    await store.useToken(sha256(secret), new Date("2026-03-02T08:30:00.000Z"));
    await store.addUser({ name: "bob", role: "viewer", passwordHash: null, at: NOW });
    await usersTokensCreateCommand(cli(), "bob", { scope: "read" });
    out = [];
    expect(await usersTokensListCommand(cli(), "alice", {})).toBe(0);
    const [id] = (await store.listTokens("alice")).map((t) => t.id);
    expect(out[0]!.split("\n")).toEqual([
      "ID  USER   LABEL   SCOPE  CREATED            LAST USED          STATUS",
      `${id}   alice  laptop  read   2026-03-01 10:00Z  2026-03-02 08:30Z  active`,
    ]);
    out = [];
    await usersTokensListCommand(cli(), undefined, { json: true });
    const listed = JSON.parse(out[0]!) as { tokens: { user: string; lastUsedAt: string }[] };
    expect(listed.tokens.map((t) => [t.user, t.lastUsedAt])).toEqual([
      ["bob", null],
      ["alice", "2026-03-02T08:30:00.000Z"],
    ]);
    await badInput(usersTokensListCommand(cli(), "nobody", {}), /no user named/);

    expect(await usersTokensRevokeCommand(cli(), id!)).toBe(0);
    expect(await store.useToken(sha256(secret), NOW)).toBeUndefined();
    expect(await usersTokensRevokeCommand(cli(), id!)).toBe(0);
    expect(out.at(-1)).toMatch(/already revoked/);
    await badInput(usersTokensRevokeCommand(cli(), "999"), /no API token "999"/);
    const revokes = (await store.listAudit({ limit: 10 })).filter(
      (a) => a.action === "token.revoke",
    );
    expect(revokes).toHaveLength(1);
  });
});

describe("--password-stdin", () => {
  it("reads the input without its final line break", async () => {
    expect(await readPasswordFrom(Readable.from([Buffer.from(`${PASSWORD}\n`)]))).toBe(PASSWORD);
    expect(await readPasswordFrom(Readable.from([Buffer.from(`${PASSWORD}\r\n`)]))).toBe(PASSWORD);
    expect(await readPasswordFrom(Readable.from([Buffer.from("two\nlines\n")]))).toBe("two\nlines");
  });

  it("drops a byte-order mark, refuses bytes that are not UTF-8 and an empty input", async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(
      await readPasswordFrom(Readable.from([Buffer.concat([bom, Buffer.from(`${PASSWORD}\n`)])])),
    ).toBe(PASSWORD);
    await expect(
      readPasswordFrom(Readable.from([Buffer.from([0x70, 0xff, 0x77])])),
    ).rejects.toThrow(/not UTF-8/);
    await expect(readPasswordFrom(Readable.from([Buffer.from("\n")]))).rejects.toThrow(
      /no password on standard input/,
    );
  });
});
