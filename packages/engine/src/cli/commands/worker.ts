import type { ReloadableDefinitions } from "../../reload/reloadable-definitions";
import { followDefinitions } from "../../reload/follow-definitions";
import { RunQueue } from "../../queue/run-queue";
import { limitsFor, queueSettingsFromEnv, type QueueSettings } from "../../queue/settings";
import { Worker } from "../../queue/worker";
import type { Runtime } from "../../runtime/runtime";
import type { CliIo } from "../context";
import { untilSignal } from "../until-signal";
import { heartbeatFile } from "../../runtime/heartbeat-file";
import type { Metrics } from "../../metrics/metrics";
import {
  processMetrics,
  startMetricsEndpoint,
  type MetricsEndpointOptions,
} from "../metrics-endpoint";
import type { RunningMetricsServer } from "../../server/metrics-server";

export interface WorkerCommandOptions extends MetricsEndpointOptions {
  readonly concurrency?: number;
}

/**
 * `lignee worker`: executes queued runs until SIGINT or SIGTERM. Start any number of them, on
 * any machine that reaches the database; limits and leases come from the environment (see
 * `queueSettingsFromEnv`). When a server announces new definitions, the worker loads its own
 * files again: runs claimed from then on use them, runs in flight keep theirs.
 */
export async function workerCommand(
  definitions: ReloadableDefinitions,
  runtime: Runtime,
  options: WorkerCommandOptions,
  io: CliIo,
): Promise<number> {
  const settings = queueSettingsFromEnv(process.env);
  const metrics = processMetrics();
  const queue = RunQueue.connect(runtime.databaseUrl);
  const worker = createWorker(definitions, runtime, queue, settings, io, {
    metrics,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
  });
  let endpoint: RunningMetricsServer | undefined;
  const following = followDefinitions(definitions, {
    databaseUrl: runtime.databaseUrl,
    log: (m) => io.err(m),
  });
  try {
    endpoint = await startMetricsEndpoint(options, metrics, io);
    await worker.start();
    io.out(`worker ${worker.id} is waiting for runs`);
    await untilSignal(io, () => worker.stop());
  } finally {
    await following.stop();
    await queue.close();
    await endpoint?.close();
  }
  return 0;
}

/**
 * A worker over the CLI's runtime, tuned by the queue settings (`lignee worker`, `lignee dev`),
 * counting what it executes in `metrics`. Each run uses the definitions current when it is
 * claimed; the concurrency pools are those of the definitions it started with.
 */
export function createWorker(
  definitions: ReloadableDefinitions,
  runtime: Runtime,
  queue: RunQueue,
  settings: QueueSettings,
  io: CliIo,
  options: { readonly concurrency?: number; readonly metrics: Metrics },
): Worker {
  const { concurrency, metrics } = options;
  const first = definitions.current().definitions;
  return new Worker({
    definitions: first,
    reloadable: definitions,
    storage: runtime.storage,
    queue,
    environment: { databaseUrl: runtime.databaseUrl, home: runtime.home },
    concurrency: concurrency ?? settings.workerConcurrency,
    leaseMs: settings.leaseMs,
    limits: limitsFor(first.pools, settings),
    log: (m) => io.err(m),
    onAlive: heartbeatFile(process.env.LIGNEE_HEARTBEAT_FILE),
    onEvent: (event) => metrics.execution.observeEvent(event),
    onReaped: (runs) => metrics.execution.leasesExpired(runs),
  });
}
