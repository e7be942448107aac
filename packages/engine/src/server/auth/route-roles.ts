import type { Role } from "../../auth/roles";

/** Who may call a route: anybody (`public`), or a caller whose role is at least this one. */
export type RouteAccess = "public" | Role;

/**
 * The one table of who may call what, keyed by `METHOD /path` exactly as the OpenAPI document
 * names its operations (`{key}` for path parameters). A route missing from it is refused to
 * everybody (see `authenticate`), and the document's `x-lignee-role` is read from it, so the
 * two cannot disagree. `HEAD` is answered by the `GET` route and follows its rule.
 */
export const ROUTE_ROLES: Readonly<Record<string, RouteAccess>> = {
  // Who is calling, signing in and out: before anybody is recognised.
  "GET /api/session": "public",
  "POST /api/session": "public",
  "DELETE /api/session": "public",

  "GET /api/health": "viewer",
  "GET /api/openapi.json": "viewer",
  "GET /api/definitions": "viewer",
  "GET /api/assets": "viewer",
  "GET /api/assets/{key}": "viewer",
  "GET /api/assets/{key}/materializations": "viewer",
  "GET /api/assets/{key}/partitions/{partition}": "viewer",
  "GET /api/assets/{key}/checks": "viewer",
  "GET /api/assets/{key}/checks/{name}/history": "viewer",
  "GET /api/runs": "viewer",
  "GET /api/runs/{id}": "viewer",
  "GET /api/runs/{id}/events": "viewer",
  "GET /api/backfills": "viewer",
  "GET /api/backfills/{id}": "viewer",
  "GET /api/automation": "viewer",
  "GET /api/automation/schedules/{name}/ticks": "viewer",
  "GET /api/partitions": "viewer",
  "GET /api/partitions/{name}/keys": "viewer",
  "GET /api/operations": "viewer",
  "GET /api/operations/maintenance/preview": "viewer",
  "GET /api/alerts/channels": "viewer",
  "GET /api/alerts/deliveries": "viewer",
  "GET /api/audit": "viewer",
  "GET /metrics": "viewer",
  // A caller's own tokens (an admin may name anybody's).
  "GET /api/tokens": "viewer",
  "POST /api/tokens": "viewer",
  "DELETE /api/tokens/{id}": "viewer",
  // A signed-in user's own password.
  "PUT /api/account/password": "viewer",

  "POST /api/runs": "operator",
  "POST /api/runs/{id}/cancel": "operator",
  "POST /api/runs/{id}/reexecute": "operator",
  "POST /api/backfills": "operator",
  "POST /api/backfills/{id}/cancel": "operator",
  "POST /api/automation/{kind}/{name}/enable": "operator",
  "POST /api/automation/{kind}/{name}/disable": "operator",
  "PUT /api/assets/{key}/checks/{name}": "operator",
  "POST /api/checks/run": "operator",
  "POST /api/partitions/{name}/keys": "operator",
  "DELETE /api/partitions/{name}/keys": "operator",
  "DELETE /api/partitions/{name}/keys/{key}": "operator",
  "POST /api/operations/maintenance": "operator",
  "POST /api/definitions/reload": "operator",

  "GET /api/users": "admin",
  "POST /api/users": "admin",
  "POST /api/users/{name}/disable": "admin",
  "POST /api/users/{name}/enable": "admin",
  "PUT /api/users/{name}/password": "admin",
  "PUT /api/users/{name}/role": "admin",
  "POST /api/alerts/test": "admin",
  "POST /api/alerts/deliveries/{eventId}/{channel}/retry": "admin",
};

/**
 * A Hono route path as the OpenAPI document writes it: `/api/assets/:key{.+?}/checks/:name`
 * is `/api/assets/{key}/checks/{name}` (the key's pattern, which lets it hold slashes, is the
 * router's business).
 *
 * @example
 * openApiPath("/api/automation/:kind/:name{.+?}/enable"); // "/api/automation/{kind}/{name}/enable"
 */
export function openApiPath(routePath: string): string {
  return routePath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");
}

/** The rule of a route (`GET` for `HEAD`); undefined when the table has none: refused. */
export function routeAccess(method: string, path: string): RouteAccess | undefined {
  const m = method.toUpperCase() === "HEAD" ? "GET" : method.toUpperCase();
  return ROUTE_ROLES[`${m} ${path}`];
}
