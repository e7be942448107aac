import type { Hono } from "hono";
import type { Metrics } from "../metrics/metrics";
import { requireToken } from "./guards";

/**
 * `GET /metrics`: the process's metrics in the Prometheus text format, under the API's token
 * rule (with a token configured, `Authorization: Bearer <token>`, as Prometheus sends with
 * `authorization: { credentials_file: … }` in its scrape configuration).
 */
export function registerMetricsRoutes(app: Hono, metrics: Metrics, token?: string): void {
  if (token !== undefined) app.use("/metrics", requireToken(token));
  app.get("/metrics", async (c) => {
    const { contentType, body } = await metrics.render();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Cache-Control", "no-store");
    return c.body(body, 200, { "Content-Type": contentType });
  });
}
