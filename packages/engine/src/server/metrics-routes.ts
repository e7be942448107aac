import type { Hono, MiddlewareHandler } from "hono";
import type { Metrics } from "../metrics/metrics";

/**
 * `GET /metrics`: the process's metrics in the Prometheus text format, behind `guard` when
 * given: the API's own rule (a viewer; Prometheus sends a token with
 * `authorization: { credentials_file: … }` in its scrape configuration), or the token alone
 * (`serveMetrics`).
 */
export function registerMetricsRoutes(
  app: Hono,
  metrics: Metrics,
  guard?: MiddlewareHandler,
): void {
  if (guard !== undefined) app.use("/metrics", guard);
  app.get("/metrics", async (c) => {
    const { contentType, body } = await metrics.render();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Cache-Control", "no-store");
    return c.body(body, 200, { "Content-Type": contentType });
  });
}
