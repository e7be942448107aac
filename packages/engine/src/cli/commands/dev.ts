import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { announceDefinitionsVersion } from "../../reload/definitions-channel";
import type { ReloadableDefinitions } from "../../reload/reloadable-definitions";
import { watchFiles } from "../../reload/watch-files";
import { followDefinitions } from "../../reload/follow-definitions";
import type { Runtime } from "../../runtime/runtime";
import { Metrics } from "../../metrics/metrics";
import { RunQueue } from "../../queue/run-queue";
import { queueSettingsFromEnv } from "../../queue/settings";
import { createServer, type RunningServer, type ServerOptions } from "../../server/server";
import type { CliIo } from "../context";
import { buildUi, uiSourcesFrom, UI_BUILD_COMMAND } from "../ui-build";
import { engineFile } from "../../util/engine-files";
import { untilSignal } from "../until-signal";
import { startReloadingScheduler } from "./scheduler";
import { createWorker } from "./worker";

export interface DevOptions {
  readonly port?: number;
  readonly host?: string;
  /** Also evaluate schedules, sensors and eager automation (as `lignee scheduler`). */
  readonly scheduler?: boolean;
  /** Load the definitions again when their files change (`lignee dev`; default true). */
  readonly watch?: boolean;
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
 * runs, and a worker executing them, until SIGINT or SIGTERM. The definitions are loaded again
 * when their files change (unless `watch` is false) and on `POST /api/definitions/reload`: runs
 * in flight finish on the definitions they started with. The caller disposes resources and the
 * runtime.
 */
export async function devCommand(
  definitions: ReloadableDefinitions,
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
  const announcing = announceReloads(definitions, runtime, io);
  const following = followDefinitions(definitions, {
    databaseUrl: runtime.databaseUrl,
    log: (m) => io.err(m),
  });
  const watcher =
    options.watch === false
      ? undefined
      : watchFiles(
          definitions.current().files,
          // After a failed load, any change next to the files counts: the file it missed may
          // be created.
          () => void definitions.reload().then((outcome) => watcher?.setLoose(!outcome.ok)),
          { log: (m) => io.err(m) },
        );
  const stopWatching = definitions.onChange((loaded) => watcher?.update(loaded.files));
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
      scheduler = startReloadingScheduler(
        definitions,
        runtime,
        io,
        { publicUrl: server.url },
        process.env,
        metrics,
      );
    if (watcher) io.err("lignee: watching the definitions' files; they are loaded again on change");
    await untilSignal(io, async () => {
      await scheduler?.stop();
      await server.close();
      await worker.stop();
    });
  } finally {
    stopWatching();
    watcher?.close();
    await scheduler?.stop();
    await worker.stop();
    await queue.close();
    await following.stop();
    await announcing.stop();
  }
  return 0;
}

/**
 * `lignee server`: the API and UI only; runs are queued for `lignee worker` processes. Its
 * definitions are loaded again on `POST /api/definitions/reload`, and the workers and
 * schedulers follow.
 */
export async function serverCommand(
  definitions: ReloadableDefinitions,
  runtime: Runtime,
  options: DevOptions,
  io: CliIo,
): Promise<number> {
  const settings = queueSettingsFromEnv(process.env);
  const queue = RunQueue.connect(runtime.databaseUrl);
  const announcing = announceReloads(definitions, runtime, io);
  // Other servers' reloads too (several behind a load balancer serve the same version).
  const following = followDefinitions(definitions, {
    databaseUrl: runtime.databaseUrl,
    log: (m) => io.err(m),
  });
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
    await following.stop();
    await announcing.stop();
  }
  return 0;
}

/**
 * Tells the platform's other processes (workers, schedulers) each new version of the
 * definitions this one loads, so that they load theirs again (`followDefinitions`).
 */
function announceReloads(
  definitions: ReloadableDefinitions,
  runtime: Runtime,
  io: CliIo,
): { stop(): Promise<void> } {
  let pool: pg.Pool | undefined;
  // Not awaited: the reload is done whatever the database does with the announcement.
  const stop = definitions.onChange((loaded) => {
    pool ??= new pg.Pool({
      connectionString: runtime.databaseUrl,
      max: 1,
      connectionTimeoutMillis: 5_000,
    });
    void announceDefinitionsVersion(pool, loaded.version).catch((error: unknown) =>
      io.err(`announcing the new definitions to other processes: ${String(error)}`),
    );
  });
  return {
    stop: async () => {
      stop();
      await pool?.end();
    },
  };
}

async function serve(
  definitions: ReloadableDefinitions,
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
    definitions: definitions.current().definitions,
    reloadable: definitions,
    runtime,
    port: options.port ?? 3000,
    ...(options.host !== undefined ? { host: options.host } : {}),
    uiDir,
    queue,
    metrics,
    log: (m) => io.err(m),
  });
  io.out(`Lignée is serving on ${server.url} (API at ${server.url}/api)`);
  io.out(ACCESS_LINES[server.access]);
  return server;
}

/** What `lignee dev` and `lignee server` say of who may use them, as they start. */
const ACCESS_LINES: Readonly<Record<RunningServer["access"], string>> = {
  local:
    "Single-user mode: loopback, no users, no sign-in (add one with lignee users add NAME --role admin to require it)",
  token: "Every call needs the service token (LIGNEE_API_TOKEN)",
  users: "Sign-in required: users sign in in the UI; scripts send an API token",
};
