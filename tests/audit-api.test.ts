import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dailyPartitions,
  defineAsset,
  defineCheck,
  Definitions,
  type Definitions as DefinitionsType,
} from "@lignee/engine";
import type { AuditList } from "@lignee/engine/wire";
import { openAuthApi, PASSWORD, SERVICE, type AuthApi, type Caller } from "./support/auth";

/**
 * The audit trail over the API: what signed-in users and tokens did (launch, cancel, switch a
 * check or a schedule, sign in, refused sign-ins), who launched a run, paging and filters.
 */
const definitions = Definitions.create<unknown>({
  assets: [
    defineAsset({
      key: "raw/jours",
      partitions: dailyPartitions({ start: "2024-01-01" }),
      materialize: async () => undefined,
    }),
  ],
  checks: [
    defineCheck({
      asset: "raw/jours",
      name: "rows_positive",
      severity: "error",
      evaluate: async () => ({ passed: true }),
    }),
  ],
}) as DefinitionsType<unknown>;

let t: AuthApi;
let alice: Caller;

beforeAll(async () => {
  t = await openAuthApi({ definitions });
  await t.addUser("root", "admin", PASSWORD);
  await t.addUser("alice", "operator");
  await t.addUser("vic", "viewer");
  alice = await t.signIn("alice");
});

afterAll(async () => {
  await t.close();
});

async function auditList(query = "", as: Caller = alice): Promise<AuditList> {
  const res = await t.call("GET", `/api/audit${query}`, { as });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as AuditList;
}

describe("the audit trail", () => {
  it("records a signed-in user's launch, cancel and switches with actor and target", async () => {
    const launched = await t.call("POST", "/api/runs", {
      as: alice,
      body: { selection: "raw/jours", partition: "2024-01-02" },
    });
    expect(launched.status).toBe(201);
    const { runId } = (await launched.json()) as { runId: string };
    expect((await t.storage.getRun(runId))?.launchedBy).toEqual({ kind: "api", detail: "alice" });
    expect((await t.call("POST", `/api/runs/${runId}/cancel`, { as: alice })).status).toBe(202);
    const check = await t.call("PUT", "/api/assets/raw/jours/checks/rows_positive", {
      as: alice,
      body: { enabled: false },
    });
    expect(check.status).toBe(200);
    const checks = await t.call("GET", "/api/assets/raw/jours/checks", { as: alice });
    expect(((await checks.json()) as { checks: { switchedBy: string }[] }).checks[0]).toMatchObject(
      { switchedBy: "api:alice" },
    );
    const schedule = await t.call("POST", "/api/automation/schedule/lignee_maintenance/disable", {
      as: alice,
    });
    expect(schedule.status).toBe(200);

    const { events } = await auditList("?actor=alice");
    const lines = events.map((e) => [e.action, e.target, e.actorKind]);
    expect(lines.slice(0, 4)).toEqual([
      ["automation.disable", "schedule lignee_maintenance", "user"],
      ["check.disable", "raw/jours rows_positive", "user"],
      ["run.cancel", runId, "user"],
      ["run.launch", runId, "user"],
    ]);
    expect(events[3]?.detail).toEqual({
      selection: "raw/jours",
      partitions: { partition: "2024-01-02" },
    });
    expect(events.at(-1)).toMatchObject({ action: "session.sign-in", target: "alice" });
  });

  it("names the token's user, and the service token, as the launcher", async () => {
    const token = await t.createToken(alice, "operate");
    const res = await t.call("POST", "/api/runs", {
      as: token,
      body: { selection: "raw/jours", partition: "2024-01-03" },
    });
    const { runId } = (await res.json()) as { runId: string };
    expect((await t.storage.getRun(runId))?.launchedBy).toEqual({ kind: "api", detail: "alice" });
    const [line] = (await auditList("?action=run.launch")).events;
    const [created] = (await auditList("?action=token.create")).events;
    // The line says which of alice's tokens: its label and id.
    expect(line).toMatchObject({
      actor: "alice",
      actorKind: "token",
      target: runId,
      detail: { token: `test (#${created!.target})` },
    });

    const byService = await t.call("POST", "/api/runs", {
      as: SERVICE,
      body: { selection: "raw/jours", partition: "2024-01-04" },
    });
    const service = (await byService.json()) as { runId: string };
    expect((await t.storage.getRun(service.runId))?.launchedBy).toEqual({
      kind: "api",
      detail: "service token",
    });
  });

  it("records refused sign-ins under the name given, with the address and why", async () => {
    await t.call("POST", "/api/session", { body: { name: "mallory", password: "guess guess!" } });
    const [line] = (await auditList("?action=session.sign-in-refused")).events;
    expect(line).toMatchObject({
      actor: "mallory",
      target: "mallory",
      detail: { address: "local", reason: "invalid" },
    });
  });

  it("records a launch merged into a run already queued, marked merged", async () => {
    const body = { selection: "raw/jours", partition: "2024-01-05" };
    const first = await t.call("POST", "/api/runs", { as: alice, body });
    expect(first.status).toBe(201);
    const { runId } = (await first.json()) as { runId: string };
    const again = await t.call("POST", "/api/runs", { as: SERVICE, body });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { runId: string }).runId).toBe(runId);
    const [merged, launched] = (await auditList("?action=run.launch")).events;
    expect(merged).toMatchObject({
      actor: "service token",
      target: runId,
      detail: { selection: "raw/jours", partitions: { partition: "2024-01-05" }, merged: true },
    });
    expect(launched).toMatchObject({ actor: "alice", target: runId });
    expect(launched?.detail).not.toHaveProperty("merged");

    const checkBody = { selection: "raw/jours", partition: "2024-01-06" };
    const checks = await t.call("POST", "/api/checks/run", { as: alice, body: checkBody });
    const checked = (await checks.json()) as { runId: string };
    expect((await t.call("POST", "/api/checks/run", { as: SERVICE, body: checkBody })).status).toBe(
      200,
    );
    const [checkMerged] = (await auditList("?action=check.run")).events;
    expect(checkMerged).toMatchObject({
      actor: "service token",
      target: checked.runId,
      detail: { merged: true },
    });
  });

  it("records wrong passwords, not the refusals once limited, and clips the name given", async () => {
    const name = `m${"a".repeat(199)}`;
    for (let i = 0; i < 8; i++) {
      await t.call("POST", "/api/session", { body: { name, password: "guess guess!" } });
    }
    const lines = (await auditList("?action=session.sign-in-refused")).events.filter((e) =>
      e.actor.startsWith("maaa"),
    );
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(line).toMatchObject({
        actor: name.slice(0, 64),
        target: name.slice(0, 64),
        detail: { address: "local", reason: "invalid" },
      });
    }
  });

  it("records users and tokens managed over the API", async () => {
    await t.addUser("walt", "viewer");
    const walt = await t.signIn("walt");
    await t.createToken(walt, "read");
    const roles = await t.call("PUT", "/api/users/walt/role", {
      as: SERVICE,
      body: { role: "operator" },
    });
    expect(roles.status).toBe(200);
    // Named in any case: the line names the user as stored.
    const password = await t.call("PUT", "/api/users/WALT/password", {
      as: SERVICE,
      body: { password: "another long password" },
    });
    expect(password.status).toBe(204);
    const actions = (await auditList("?limit=5")).events.map((e) => [e.actor, e.action, e.target]);
    expect(actions).toEqual([
      ["service token", "user.set-password", "walt"],
      ["service token", "user.set-role", "walt"],
      ["walt", "token.create", expect.any(String)],
      ["walt", "session.sign-in", "walt"],
      ["service token", "user.add", "walt"],
    ]);
  });

  it("records a token revoked over the API with its user and label; filters by action prefix", async () => {
    const token = await t.createToken(alice, "read");
    const { tokens } = (await (await t.call("GET", "/api/tokens", { as: alice })).json()) as {
      tokens: { id: string; label: string; revokedAt: string | null }[];
    };
    const id = tokens.find((k) => k.revokedAt === null && k.label === "test")!.id;
    expect((await t.call("DELETE", `/api/tokens/${id}`, { as: alice })).status).toBe(204);
    expect((await t.call("GET", "/api/runs", { as: token })).status).toBe(401);
    const [revoked] = (await auditList("?action=token.revoke")).events;
    expect(revoked).toMatchObject({
      actor: "alice",
      action: "token.revoke",
      target: id,
      detail: { user: "alice", label: "test" },
    });
    const actions = new Set((await auditList("?action=token")).events.map((e) => e.action));
    expect([...actions].sort()).toEqual(["token.create", "token.revoke"]);
    const created = (await auditList("?action=token.create")).events.map((e) => e.action);
    expect(new Set(created)).toEqual(new Set(["token.create"]));
    expect((await auditList("?action=tok")).events).toEqual([]);
  });

  it("pages back with nextBefore, is readable by viewers, and checks its query", async () => {
    const first = await auditList("?limit=2");
    expect(first.events).toHaveLength(2);
    expect(first.nextBefore).toBe(first.events[1]!.id);
    const vic = await t.signIn("vic");
    const next = await auditList(`?limit=2&before=${first.nextBefore}`, vic);
    expect(Number(next.events[0]!.id)).toBeLessThan(Number(first.events[1]!.id));
    const all = await auditList("?limit=100");
    expect(all.nextBefore).toBeNull();
    for (const query of ["?limit=0", "?limit=101", "?before=abc"]) {
      expect((await t.call("GET", `/api/audit${query}`, { as: alice })).status, query).toBe(400);
    }
  });

  it("keeps the last active admin", async () => {
    const res = await t.call("GET", "/api/users", { as: SERVICE });
    const { users } = (await res.json()) as { users: { name: string; role: string }[] };
    expect(users.filter((u) => u.role === "admin").map((u) => u.name)).toEqual(["root"]);
    const disable = await t.call("POST", "/api/users/ROOT/disable", { as: SERVICE });
    expect(disable.status).toBe(409);
    const demote = await t.call("PUT", "/api/users/root/role", {
      as: SERVICE,
      body: { role: "viewer" },
    });
    expect(demote.status).toBe(409);
    await t.addUser("root2", "admin", PASSWORD);
    expect((await t.call("POST", "/api/users/root/disable", { as: SERVICE })).status).toBe(200);
  });

  it("keeps one when the last two are disabled and demoted at the same time", async () => {
    const activeAdmins = async (): Promise<string[]> => {
      const res = await t.call("GET", "/api/users", { as: SERVICE });
      const { users } = (await res.json()) as {
        users: { name: string; role: string; disabled: boolean }[];
      };
      return users.filter((u) => u.role === "admin" && !u.disabled).map((u) => u.name);
    };
    for (let round = 0; round < 5; round++) {
      const [kept] = await activeAdmins();
      await t.addUser(`racer${round}`, "admin", PASSWORD);
      expect(await activeAdmins()).toHaveLength(2);
      const answers = await Promise.all([
        t.call("POST", `/api/users/${kept}/disable`, { as: SERVICE }),
        t.call("PUT", `/api/users/racer${round}/role`, { as: SERVICE, body: { role: "viewer" } }),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(await activeAdmins()).toHaveLength(1);
    }
  });
});
