import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import { buildExampleDefinitions } from "../../examples/example-pipeline";
import type { Definitions } from "../../definitions/definitions";
import { Metrics } from "../../metrics/metrics";
import { PostgresStorage } from "../../storage/postgres-storage";
import { createApp } from "../app";
import { openApiPath, routeAccess, ROUTE_ROLES } from "./route-roles";

describe("openApiPath", () => {
  it("writes Hono's parameters, patterns included, as the OpenAPI document does", () => {
    expect(openApiPath("/api/runs/:id/cancel")).toBe("/api/runs/{id}/cancel");
    expect(openApiPath("/api/assets/:key{.+?}/checks/:name/history")).toBe(
      "/api/assets/{key}/checks/{name}/history",
    );
    expect(openApiPath("/api/assets/:key{.+?}/partitions/:partition{.+}")).toBe(
      "/api/assets/{key}/partitions/{partition}",
    );
    expect(openApiPath("/api/automation/:kind/:name{.+?}/enable")).toBe(
      "/api/automation/{kind}/{name}/enable",
    );
    expect(openApiPath("/api/health")).toBe("/api/health");
  });
});

describe("routeAccess", () => {
  it("answers HEAD with GET's rule and nothing for a route without one", () => {
    expect(routeAccess("HEAD", "/api/runs")).toBe("viewer");
    expect(routeAccess("post", "/api/runs")).toBe("operator");
    expect(routeAccess("GET", "/api/session")).toBe("public");
    expect(routeAccess("DELETE", "/api/runs/{id}")).toBeUndefined();
  });
});

/**
 * The routes outside the table: the UI's (its page at `/`, or the built UI's files and its
 * client-side routes). Nothing else may be registered without a rule.
 */
const UI_ROUTES = new Set(["GET /", "GET /*"]);

/** Every route an app answers (not middleware: method ALL) that neither the table nor the UI allowlist covers. */
function routesWithoutRule(app: Hono): string[] {
  return app.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => `${r.method} ${openApiPath(r.path)}`)
    .filter((r) => ROUTE_ROLES[r] === undefined && !UI_ROUTES.has(r));
}

describe("ROUTE_ROLES", () => {
  // Routes are registered when the app is made: no query reaches the database.
  const storage = PostgresStorage.connect("postgres://127.0.0.1:1/none");
  afterAll(() => storage.close());
  const appWith = (uiDir?: string): Hono =>
    createApp({
      definitions: buildExampleDefinitions() as Definitions<unknown>,
      storage,
      environment: { databaseUrl: "", home: "" },
      metrics: new Metrics(),
      ...(uiDir !== undefined ? { uiDir } : {}),
    }).app;

  it("has a rule for every route the app answers, and no rule for a route it does not have", () => {
    const app = appWith();
    const routes = new Set(
      app.routes
        .filter((r) => r.method !== "ALL" && (r.path.startsWith("/api/") || r.path === "/metrics"))
        .map((r) => `${r.method} ${openApiPath(r.path)}`),
    );
    expect([...routes].filter((r) => ROUTE_ROLES[r] === undefined)).toEqual([]);
    expect(Object.keys(ROUTE_ROLES).filter((r) => !routes.has(r))).toEqual([]);
  });

  it("leaves no route of any path without a rule but the UI's, built or not", () => {
    const built = mkdtempSync(path.join(tmpdir(), "lignee-ui-"));
    writeFileSync(path.join(built, "index.html"), "<!doctype html>");
    try {
      for (const app of [appWith(), appWith(built)]) expect(routesWithoutRule(app)).toEqual([]);
    } finally {
      rmSync(built, { recursive: true, force: true });
    }
  });

  it("would catch a new top-level route added without a rule", () => {
    const app = appWith();
    app.get("/debug", (c) => c.text("hello"));
    app.post("/", (c) => c.text("hello"));
    expect(routesWithoutRule(app)).toEqual(["GET /debug", "POST /"]);
  });
});
