import type { Command } from "commander";
import { Metrics } from "../metrics/metrics";
import { serveMetrics, type RunningMetricsServer } from "../server/metrics-server";
import { portNumber } from "./command-context";
import type { CliIo } from "./context";

/** `--metrics-port` and `--metrics-host` of the processes that serve no API. */
export interface MetricsEndpointOptions {
  readonly metricsPort?: number;
  readonly metricsHost?: string;
}

/** Adds `--metrics-port` and `--metrics-host` to a command (`lignee worker`, `lignee scheduler`). */
export function metricsEndpointOptions(command: Command): Command {
  return command
    .option(
      "--metrics-port <port>",
      "serve GET /metrics (Prometheus) on this port (default: no endpoint)",
      portNumber,
    )
    .option(
      "--metrics-host <host>",
      "interface of the metrics endpoint (non-loopback needs LIGNEE_API_TOKEN)",
      "127.0.0.1",
    );
}

/**
 * The process's metrics and, when `--metrics-port` was given, the endpoint serving them; the
 * caller closes it. A refused host (not loopback, no token) or a busy port throws before the
 * process starts its work.
 */
export async function startMetricsEndpoint(
  options: MetricsEndpointOptions,
  io: CliIo,
): Promise<{ readonly metrics: Metrics; readonly endpoint: RunningMetricsServer | undefined }> {
  const metrics = new Metrics({ processMetrics: true });
  if (options.metricsPort === undefined) return { metrics, endpoint: undefined };
  const endpoint = await serveMetrics({
    metrics,
    port: options.metricsPort,
    ...(options.metricsHost !== undefined ? { host: options.metricsHost } : {}),
    log: (m) => io.err(m),
  });
  io.out(`metrics at ${endpoint.url}/metrics`);
  return { metrics, endpoint };
}
