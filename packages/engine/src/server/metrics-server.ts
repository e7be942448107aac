import type { AddressInfo } from "node:net";
import type { ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { clip } from "../errors";
import type { Metrics } from "../metrics/metrics";
import { allowHosts, requireToken } from "./guards";
import { toHttpError } from "./http-error";
import { registerMetricsRoutes } from "./metrics-routes";
import { isLoopback, ServerConfigError } from "./server";

export interface MetricsServerOptions {
  readonly metrics: Metrics;
  readonly port: number;
  /** Default 127.0.0.1; any other host needs a token, as the API does. */
  readonly host?: string;
  /** Default `$LIGNEE_API_TOKEN`: when set, a scrape needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly log?: (message: string) => void;
}

export interface RunningMetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `GET /metrics` alone on its own port, for the processes that serve no API (`lignee worker
 * --metrics-port`, `lignee scheduler --metrics-port`). The API's rules hold: loopback by
 * default, a token required to bind anything else, the token checked when set.
 *
 * @example
 * const server = await serveMetrics({ metrics, port: 9464 });
 * // curl http://127.0.0.1:9464/metrics
 */
export async function serveMetrics(options: MetricsServerOptions): Promise<RunningMetricsServer> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? (process.env.LIGNEE_API_TOKEN || undefined);
  if (!isLoopback(host) && token === undefined) {
    throw new ServerConfigError(
      `refusing to serve metrics on ${host} without a token: set LIGNEE_API_TOKEN (or bind 127.0.0.1)`,
    );
  }
  const app = new Hono();
  const log = options.log ?? ((m: string) => console.error(m));
  app.onError((error, c) => {
    const { status, body, headers } = toHttpError(error);
    if (status === 500) log(`${c.req.method} ${c.req.path}: ${String(error)}`);
    return c.json(body, status, headers);
  });
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${clip(c.req.path)}` }, 404));
  if (isLoopback(host)) app.use("*", allowHosts(["localhost", "127.0.0.1", "[::1]", host]));
  registerMetricsRoutes(
    app,
    options.metrics,
    token !== undefined ? requireToken(token) : undefined,
  );
  // Loaded when serving only (see createServer).
  const { serve } = await import("@hono/node-server");
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port }, () => resolve(s));
    s.once("error", reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
