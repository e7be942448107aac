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

/** The metrics of a CLI process: its own registry, with Node.js' process metrics. */
export function processMetrics(): Metrics {
  return new Metrics({ processMetrics: true });
}

/**
 * When `--metrics-port` was given, serves `metrics` there (the caller closes it); otherwise
 * nothing. A refused host (not loopback, no token) or a busy port throws.
 */
export async function startMetricsEndpoint(
  options: MetricsEndpointOptions,
  metrics: Metrics,
  io: CliIo,
): Promise<RunningMetricsServer | undefined> {
  if (options.metricsPort === undefined) return undefined;
  const endpoint = await serveMetrics({
    metrics,
    port: options.metricsPort,
    ...(options.metricsHost !== undefined ? { host: options.metricsHost } : {}),
    log: (m) => io.err(m),
  });
  io.out(`metrics at ${endpoint.url}/metrics`);
  return endpoint;
}
