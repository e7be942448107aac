import { describe, expect, it } from "vitest";
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

describe("ROUTE_ROLES", () => {
  it("has a rule for every route the app answers, and no rule for a route it does not have", () => {
    // Routes are registered when the app is made: no query reaches the database.
    const storage = PostgresStorage.connect("postgres://127.0.0.1:1/none");
    const { app } = createApp({
      definitions: buildExampleDefinitions() as Definitions<unknown>,
      storage,
      environment: { databaseUrl: "", home: "" },
      metrics: new Metrics(),
    });
    const routes = new Set(
      app.routes
        .filter((r) => r.method !== "ALL" && (r.path.startsWith("/api/") || r.path === "/metrics"))
        .map((r) => `${r.method} ${openApiPath(r.path)}`),
    );
    expect([...routes].filter((r) => ROUTE_ROLES[r] === undefined)).toEqual([]);
    expect(Object.keys(ROUTE_ROLES).filter((r) => !routes.has(r))).toEqual([]);
    void storage.close();
  });
});
