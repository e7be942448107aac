import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lignee as run, REPO_ROOT, type CliResult } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { countRows } from "./support/sql";

/**
 * `lignee users …` as a user runs it: the built CLI in a child process over real PostgreSQL,
 * the password piped to `--password-stdin`; bad input exits 2 and writes nothing.
 */
let env: Record<string, string>;
let sql: pg.Client;

beforeAll(async () => {
  const url = await createTestDatabase();
  env = { DATABASE_URL: url };
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});

afterAll(async () => {
  await sql.end();
});

/** `lignee ARGS` with `input` on its standard input (none: an empty, non-terminal stdin). */
function lignee(args: readonly string[], input = ""): Promise<CliResult> {
  return run(args, env, undefined, REPO_ROOT, input);
}

const PASSWORD = "a long enough secret";

describe("lignee users", () => {
  it("adds users with --password-stdin, never from the command line; lists them", async () => {
    const first = await lignee(
      ["users", "add", "vic", "--role", "viewer", "--password-stdin"],
      `${PASSWORD}\n`,
    );
    expect(first.code, first.stderr).toBe(2);
    expect(first.stderr).toMatch(/the first user must be an admin: add one with --role admin/);
    expect(await countRows(sql, "lignee.users")).toBe(0);
    const added = await lignee(
      ["users", "add", "alice", "--role", "admin", "--password-stdin"],
      `${PASSWORD}\n`,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain("Added user alice (admin).");

    for (const [args, input, message] of [
      [["users", "add", "bob", "--role", "viewer", "--password", PASSWORD], "", /unknown option/],
      [
        ["users", "add", "bob", "--role", "viewer"],
        "",
        /no password: pipe it with --password-stdin/,
      ],
      [["users", "add", "bob", "--role", "root", "--password-stdin"], PASSWORD, /root.*invalid/i],
      [["users", "add", "bob", "--role", "viewer", "--password-stdin"], "short\n", /at least 12/],
      [
        ["users", "add", "ALICE", "--role", "viewer", "--password-stdin"],
        PASSWORD,
        /already exists/,
      ],
      [["users", "set-role", "nobody", "viewer"], "", /no user named "nobody"/],
    ] as const) {
      const r = await lignee(args, input);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(await countRows(sql, "lignee.users")).toBe(1);
    expect(await countRows(sql, "lignee.audit_events")).toBe(1);

    const list = await lignee(["users", "list", "--json"]);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual({
      users: [expect.objectContaining({ name: "alice", role: "admin", disabled: false })],
    });
    const { rows } = await sql.query<{ actor_kind: string; action: string }>(
      "SELECT actor_kind, action FROM lignee.audit_events",
    );
    expect(rows).toEqual([{ actor_kind: "cli", action: "user.add" }]);
  });

  it("creates a token printed alone on stdout, lists it and revokes it", async () => {
    const created = await lignee([
      "users",
      "tokens",
      "create",
      "alice",
      "--scope",
      "read",
      "--label",
      "ci",
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toMatch(/^lgn_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/shown this once/);

    const list = await lignee(["users", "tokens", "list", "alice"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/ID\s+USER\s+LABEL\s+SCOPE\s+CREATED\s+LAST USED\s+STATUS/);
    const id = /^(\d+)\s+alice\s+ci\s+read\s.*\s-\s+active$/m.exec(list.stdout)?.[1];
    expect(id, list.stdout).toBeDefined();

    const revoked = await lignee(["users", "tokens", "revoke", id!]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const bad = await lignee(["users", "tokens", "create", "alice", "--scope", "admin"]);
    expect(bad.code).toBe(2);
    const disabled = await lignee(["users", "disable", "alice"]);
    expect(disabled.code).toBe(2); // the last active admin
    const bob = await lignee(
      ["users", "add", "bob", "--role", "viewer", "--password-stdin"],
      `${PASSWORD}\n`,
    );
    expect(bob.code, bob.stderr).toBe(0);
    expect((await lignee(["users", "disable", "bob"])).code).toBe(0);
    const enabled = await lignee(["users", "enable", "bob"]);
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toContain("Enabled bob: it can sign in again");
    expect((await lignee(["users", "enable", "nobody"])).code).toBe(2);
    const { rows } = await sql.query<{ revoked: boolean }>(
      "SELECT revoked_at IS NOT NULL AS revoked FROM lignee.api_tokens",
    );
    expect(rows).toEqual([{ revoked: true }]);
  });
});
