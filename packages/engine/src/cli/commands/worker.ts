import type { Definitions } from "../../definitions/definitions";
import { RunQueue } from "../../queue/run-queue";
import { limitsFor, queueSettingsFromEnv, type QueueSettings } from "../../queue/settings";
import { Worker } from "../../queue/worker";
import type { Runtime } from "../../runtime/runtime";
import type { CliIo } from "../context";
import { untilSignal } from "../until-signal";
import { heartbeatFile } from "../../runtime/heartbeat-file";

export interface WorkerCommandOptions {
  readonly concurrency?: number;
}

/**
 * `lignee worker`: executes queued runs until SIGINT or SIGTERM. Start any number of them, on
 * any machine that reaches the database; limits and leases come from the environment (see
 * `queueSettingsFromEnv`).
 */
export async function workerCommand(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  options: WorkerCommandOptions,
  io: CliIo,
): Promise<number> {
  const settings = queueSettingsFromEnv(process.env);
  const queue = RunQueue.connect(runtime.databaseUrl);
  const worker = createWorker(definitions, runtime, queue, settings, io, options.concurrency);
  try {
    await worker.start();
    io.out(`worker ${worker.id} is waiting for runs`);
    await untilSignal(io, () => worker.stop());
  } finally {
    await queue.close();
  }
  return 0;
}

/** A worker over the CLI's runtime, tuned by the queue settings (`lignee worker`, `lignee dev`). */
export function createWorker(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  queue: RunQueue,
  settings: QueueSettings,
  io: CliIo,
  concurrency?: number,
): Worker {
  return new Worker({
    definitions,
    storage: runtime.storage,
    queue,
    environment: { databaseUrl: runtime.databaseUrl, home: runtime.home },
    concurrency: concurrency ?? settings.workerConcurrency,
    leaseMs: settings.leaseMs,
    limits: limitsFor(definitions.pools, settings),
    log: (m) => io.err(m),
    onAlive: heartbeatFile(process.env.LIGNEE_HEARTBEAT_FILE),
  });
}
