import { existsSync } from "node:fs";
import path from "node:path";
import type { Definitions } from "../../definitions/definitions";
import type { Runtime } from "../../runtime/runtime";
import { Metrics } from "../../metrics/metrics";
import { RunQueue } from "../../queue/run-queue";
import { queueSettingsFromEnv } from "../../queue/settings";
import { createServer, type RunningServer, type ServerOptions } from "../../server/server";
import type { CliIo } from "../context";
import { buildUi, uiSourcesFrom, UI_BUILD_COMMAND } from "../ui-build";
import { engineFile } from "../../util/engine-files";
import { untilSignal } from "../until-signal";
import { startSchedulerInProcess } from "./scheduler";
import { createWorker } from "./worker";

export interface DevOptions {
  readonly port?: number;
  readonly host?: string;
  /** Also evaluate schedules, sensors and eager automation (as `lignee scheduler`). */
  readonly scheduler?: boolean;
}

/** The built UI of this repository (packages/ui/dist), found from this file, not the cwd. */
const REPOSITORY_UI_DIR = engineFile("..", "ui", "dist");
/** The built UI an installed package carries (copied there when it is packed). */
const PACKAGED_UI_DIR = engineFile("dist", "ui");

/**
 * Where `lignee dev` serves the UI from: `LIGNEE_UI_DIR` when set (relative to the working
 * directory), else the repository's `packages/ui/dist` in a checkout (where the UI's sources
 * are), else the installed package's own `dist/ui`.
 *
 * @example
 * uiDirFrom({ LIGNEE_UI_DIR: "/srv/lignee-ui" }) // "/srv/lignee-ui"
 */
export function uiDirFrom(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.LIGNEE_UI_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  return existsSync(engineFile("..", "ui", "index.html")) ? REPOSITORY_UI_DIR : PACKAGED_UI_DIR;
}

/**
 * `lignee dev`: the whole platform in one process: the API (and the built UI, if any) queueing
 * runs, and a worker executing them, until SIGINT or SIGTERM. The caller disposes resources and
 * the runtime.
 */
export async function devCommand(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  options: DevOptions,
  io: CliIo,
): Promise<number> {
  const settings = queueSettingsFromEnv(process.env);
  const queue = RunQueue.connect(runtime.databaseUrl);
  // One registry for the process: GET /metrics shows the server's, the worker's and the
  // scheduler's metrics together.
  const metrics = new Metrics({ processMetrics: true });
  const worker = createWorker(definitions, runtime, queue, settings, io, { metrics });
  let scheduler: { stop(): Promise<void> } | undefined;
  try {
    await worker.start();
    const server = await serve(
      definitions,
      runtime,
      options,
      io,
      { queue, maxAttempts: settings.maxAttempts },
      metrics,
    );
    if (options.scheduler)
      scheduler = startSchedulerInProcess(
        definitions,
        runtime,
        io,
        { publicUrl: server.url },
        process.env,
        metrics,
      );
    await untilSignal(io, async () => {
      await scheduler?.stop();
      await server.close();
      await worker.stop();
    });
  } finally {
    await scheduler?.stop();
    await worker.stop();
    await queue.close();
  }
  return 0;
}

/**
 * `lignee server`: the API and UI only; runs are queued for `lignee worker` processes.
 */
export async function serverCommand(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  options: DevOptions,
  io: CliIo,
): Promise<number> {
  const settings = queueSettingsFromEnv(process.env);
  const queue = RunQueue.connect(runtime.databaseUrl);
  try {
    const server = await serve(
      definitions,
      runtime,
      options,
      io,
      { queue, maxAttempts: settings.maxAttempts },
      new Metrics({ processMetrics: true }),
    );
    await untilSignal(io, () => server.close());
  } finally {
    await queue.close();
  }
  return 0;
}

async function serve(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  options: DevOptions,
  io: CliIo,
  queue: NonNullable<ServerOptions["queue"]>,
  metrics: Metrics,
): Promise<RunningServer> {
  const uiDir = uiDirFrom();
  if (!existsSync(path.join(uiDir, "index.html"))) {
    const outcome = await buildUi(uiSourcesFrom(), uiDir, (line) => io.err(line));
    if (!outcome.built) {
      io.err(
        `lignee: the UI is not built and cannot be built here (${outcome.reason}): serving the API only; build it with ${UI_BUILD_COMMAND}`,
      );
    }
  }
  const server = await createServer({
    definitions,
    runtime,
    port: options.port ?? 3000,
    ...(options.host !== undefined ? { host: options.host } : {}),
    uiDir,
    queue,
    metrics,
    log: (m) => io.err(m),
  });
  io.out(`Lignée is serving on ${server.url} (API at ${server.url}/api)`);
  return server;
}
