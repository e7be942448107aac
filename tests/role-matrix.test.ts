import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Metrics, ROLES, ROUTE_ROLES, roleAtLeast, type Role } from "@lignee/engine";
import { ANONYMOUS, openAuthApi, SERVICE, type AuthApi, type Caller } from "./support/auth";

/**
 * Who may call what, read from the OpenAPI document: every operation has a rule in the one
 * table and every rule an operation; each operation called by nobody, and by a viewer, an
 * operator and an admin (signed in, or with their tokens), is refused below its role (401 for
 * nobody, 403 for a role too low) and admitted at or above it (whatever it then answers).
 */
let t: AuthApi;

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly role: string | undefined;
}

let operations: Operation[];
const callers: { readonly label: string; readonly role: Role | null; readonly as: Caller }[] = [];

beforeAll(async () => {
  t = await openAuthApi({ metrics: new Metrics() });
  // The admin first: the first user must be one.
  for (const role of [...ROLES].reverse()) await t.addUser(`${role}-user`, role);
  const viewer = await t.signIn("viewer-user");
  const operator = await t.signIn("operator-user");
  const admin = await t.signIn("admin-user");
  callers.push(
    { label: "anonymous", role: null, as: ANONYMOUS },
    { label: "viewer (signed in)", role: "viewer", as: viewer },
    { label: "viewer (read token)", role: "viewer", as: await t.createToken(viewer, "read") },
    { label: "operator (signed in)", role: "operator", as: operator },
    {
      label: "operator (operate token)",
      role: "operator",
      as: await t.createToken(operator, "operate"),
    },
    { label: "admin (signed in)", role: "admin", as: admin },
    { label: "service token", role: "admin", as: SERVICE },
  );
  const res = await t.call("GET", "/api/openapi.json", { as: viewer });
  expect(res.status).toBe(200);
  const doc = (await res.json()) as {
    paths: Record<string, Record<string, { "x-lignee-role"?: string }>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      role: op["x-lignee-role"],
    })),
  );
});

afterAll(async () => {
  await t.close();
});

/** A path of the document with its parameters filled with values that name nothing. */
function concrete(path: string): string {
  const values: Record<string, string> = {
    // An asset key holds slashes; a dynamic partition key is one segment.
    key: path.startsWith("/api/partitions") ? "k1" : "raw/events",
    partition: "2024-08-01",
    id: path.startsWith("/api/tokens") ? "999999" : "00000000-0000-4000-8000-000000000000",
    name: "nope",
    kind: "schedule",
    eventId: "1",
    channel: "nope",
  };
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? "x");
}

describe("the route-roles table and the OpenAPI document", () => {
  it("have the same operations, and each operation's x-lignee-role is the table's", () => {
    const documented = operations.map((o) => `${o.method} ${o.path}`).sort();
    expect(documented).toEqual(Object.keys(ROUTE_ROLES).sort());
    for (const o of operations) {
      expect(o.role, `${o.method} ${o.path}`).toBe(ROUTE_ROLES[`${o.method} ${o.path}`]);
    }
  });
});

describe("the table's rules", () => {
  it("are the defaults: sign-in public, admin for users and alerts, operator for launching and switching, viewer for the rest", () => {
    const byAccess = (access: string) =>
      Object.entries(ROUTE_ROLES)
        .filter(([, a]) => a === access)
        .map(([route]) => route)
        .sort();
    expect(byAccess("public")).toEqual([
      "DELETE /api/session",
      "GET /api/session",
      "POST /api/session",
    ]);
    expect(byAccess("admin")).toEqual([
      "GET /api/users",
      "POST /api/alerts/deliveries/{eventId}/{channel}/retry",
      "POST /api/alerts/test",
      "POST /api/users",
      "POST /api/users/{name}/disable",
      "POST /api/users/{name}/enable",
      "PUT /api/users/{name}/password",
      "PUT /api/users/{name}/role",
    ]);
    expect(byAccess("operator")).toEqual([
      "DELETE /api/partitions/{name}/keys",
      "DELETE /api/partitions/{name}/keys/{key}",
      "POST /api/automation/{kind}/{name}/disable",
      "POST /api/automation/{kind}/{name}/enable",
      "POST /api/backfills",
      "POST /api/backfills/{id}/cancel",
      "POST /api/checks/run",
      "POST /api/definitions/reload",
      "POST /api/operations/maintenance",
      "POST /api/partitions/{name}/keys",
      "POST /api/runs",
      "POST /api/runs/{id}/cancel",
      "POST /api/runs/{id}/reexecute",
      "PUT /api/assets/{key}/checks/{name}",
    ]);
    // Every other route reads, but a caller's own tokens and password.
    expect(
      byAccess("viewer").filter(
        (r) => !r.startsWith("GET ") && !r.includes("/api/tokens") && !r.includes("/api/account"),
      ),
    ).toEqual([]);
    expect(ROUTE_ROLES["PUT /api/account/password"]).toBe("viewer");
  });
});

/** Routes a user's token may not call, whatever its role. */
const TOKEN_WRITES = new Set([
  "POST /api/tokens",
  "DELETE /api/tokens/{id}",
  "PUT /api/account/password",
]);
const isUserToken = (label: string): boolean => / token\)$/.test(label);

describe("the role matrix", () => {
  it("refuses each operation below its role and admits it at or above", async () => {
    // Signing out ends the callers' sessions: last.
    const ordered = [...operations].sort(
      (a, b) =>
        Number(a.method === "DELETE" && a.path === "/api/session") -
        Number(b.method === "DELETE" && b.path === "/api/session"),
    );
    const wrong: string[] = [];
    for (const o of ordered) {
      const needed = ROUTE_ROLES[`${o.method} ${o.path}`]!;
      for (const caller of callers) {
        const res = await t.call(o.method, concrete(o.path), { as: caller.as });
        const admitted =
          needed === "public" || (caller.role !== null && roleAtLeast(caller.role, needed));
        const status = res.status;
        if (admitted && isUserToken(caller.label) && TOKEN_WRITES.has(`${o.method} ${o.path}`)) {
          // Tokens are managed by a signed-in user, never with a token, whatever its role.
          if (status !== 403) wrong.push(`${o.method} ${o.path} as ${caller.label}: ${status}`);
          continue;
        }
        const expected = admitted
          ? status !== 401 && status !== 403
          : status === (caller.role === null ? 401 : 403);
        if (!expected) {
          wrong.push(
            `${o.method} ${o.path} (${needed}) as ${caller.label}: ${status} ${await res.text()}`,
          );
        } else if (!admitted && caller.role !== null) {
          expect(((await res.json()) as { error: string }).error).toBe(
            `your role (${caller.role}) may not ${o.method} ${o.path}`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("requests without a route of their own", () => {
  it("HEAD follows GET's rule; an unknown path or method needs somebody recognised", async () => {
    // A token: the matrix signed the sessions out.
    const viewer = callers.find((c) => c.label === "viewer (read token)")!.as;
    expect((await t.call("HEAD", "/api/runs")).status).toBe(401);
    expect((await t.call("HEAD", "/api/runs", { as: viewer })).status).toBe(200);
    expect((await t.call("HEAD", "/api/users", { as: viewer })).status).toBe(403);
    expect((await t.call("GET", "/api/nope")).status).toBe(401);
    expect((await t.call("GET", "/api/nope", { as: viewer })).status).toBe(404);
    expect((await t.call("PATCH", "/api/runs", { as: viewer })).status).toBe(405);
    expect((await t.call("OPTIONS", "/api/runs")).status).toBe(401);
  });
});

describe("a read token of an admin", () => {
  it("acts as a viewer", async () => {
    await t.addUser("second-admin", "admin");
    const admin = await t.signIn("second-admin");
    const read = await t.createToken(admin, "read");
    expect((await t.call("GET", "/api/runs", { as: read })).status).toBe(200);
    const launch = await t.call("POST", "/api/runs", {
      as: read,
      body: { selection: "raw/events", partition: "2024-08-01" },
    });
    expect(launch.status).toBe(403);
    expect(await launch.json()).toEqual({ error: "your role (viewer) may not POST /api/runs" });
    expect((await t.call("GET", "/api/users", { as: read })).status).toBe(403);
    // Nor can it make itself a token that may do more.
    const more = await t.call("POST", "/api/tokens", {
      as: read,
      body: { label: "more", scope: "operate" },
    });
    expect(more.status).toBe(403);
  });
});
