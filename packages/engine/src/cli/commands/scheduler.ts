import { PostgresAutomationStore } from "../../automation/postgres-automation-store";
import { DEFAULT_SCHEDULER_INTERVAL_MS, runScheduler } from "../../automation/scheduler";
import type { ScheduleTick } from "../../automation/automation-store";
import type { Definitions } from "../../definitions/definitions";
import { followDefinitions } from "../../reload/follow-definitions";
import type { ReloadableDefinitions } from "../../reload/reloadable-definitions";
import { LigneeError } from "../../errors";
import { queueSettingsFromEnv } from "../../queue/settings";
import type { Runtime } from "../../runtime/runtime";
import type { CliIo } from "../context";
import { untilSignal } from "../until-signal";
import { PostgresBackfillStore } from "../../backfill/postgres-backfill-store";
import { heartbeatFile } from "../../runtime/heartbeat-file";
import { PostgresFreshnessStore } from "../../storage/freshness/freshness-store";
import type { Metrics } from "../../metrics/metrics";
import {
  processMetrics,
  startMetricsEndpoint,
  type MetricsEndpointOptions,
} from "../metrics-endpoint";
import type { RunningMetricsServer } from "../../server/metrics-server";
import { startAlertSender } from "../../alerts/start-alerts";
import { freshnessLags } from "../../server/freshness-lags";
import type { OverdueAssets } from "../../alerts/sender";

export interface SchedulerCommandOptions extends MetricsEndpointOptions {
  /** Default `$LIGNEE_SCHEDULER_INTERVAL_MS`, else 5,000. */
  readonly intervalMs?: number;
  /** Default `$LIGNEE_SCHEDULER_CATCH_UP_DAYS`, else 7. */
  readonly catchUpDays?: number;
  /** Base of the links in alerts when `LIGNEE_PUBLIC_URL` is unset (`lignee dev`: its server). */
  readonly publicUrl?: string;
  /** The assets overdue now, for the daily summary (none when left out). */
  readonly overdueAssets?: OverdueAssets;
}

const DAY_MS = 86_400_000;

/**
 * Test hook, never for production: with `LIGNEE_TEST_CRASH_AFTER_TICK_RECORDED=1` the
 * scheduler kills itself (SIGKILL, no cleanup) right after recording a schedule tick and before
 * queueing its run — the crash the tick's two-step protocol must survive.
 */
export const CRASH_AFTER_TICK_ENV = "LIGNEE_TEST_CRASH_AFTER_TICK_RECORDED";

/**
 * `lignee scheduler`: evaluates schedules, sensors and eager automation until SIGINT or SIGTERM,
 * queueing runs for the workers. Several may run at once against one database. When a server
 * announces new definitions, it loads its own files again and evaluates those.
 */
export async function schedulerCommand(
  definitions: ReloadableDefinitions,
  runtime: Runtime,
  options: SchedulerCommandOptions,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const metrics = processMetrics();
  const scheduler = startReloadingScheduler(definitions, runtime, io, options, env, metrics);
  const following = followDefinitions(definitions, {
    databaseUrl: runtime.databaseUrl,
    log: (m) => io.err(m),
  });
  let endpoint: RunningMetricsServer | undefined;
  try {
    endpoint = await startMetricsEndpoint(options, metrics, io);
    io.out(
      `Lignée scheduler: ${describeAutomation(definitions.current().definitions)}; evaluating every ${scheduler.intervalMs} ms`,
    );
    await untilSignal(io, () => scheduler.stop());
  } finally {
    await following.stop();
    await scheduler.stop();
    await endpoint?.close();
  }
  return 0;
}

function describeAutomation(definitions: Definitions<unknown>): string {
  return (
    `${definitions.schedules.length} schedule(s), ${definitions.sensors.length} sensor(s), ` +
    `eager automation on ${definitions.eagerAssets.length} asset(s)` +
    (definitions.maintenance.schedule
      ? `, maintenance at "${definitions.maintenance.schedule.cron}" ${definitions.maintenance.schedule.timezone}`
      : "")
  );
}

/**
 * `startSchedulerInProcess` over definitions that may be loaded again: after each reload that
 * changes them, the scheduler ends its evaluation in progress and starts again on the new ones
 * (what it has recorded — ticks, cursors — is in the database and carries over).
 */
export function startReloadingScheduler(
  definitions: ReloadableDefinitions,
  runtime: Runtime,
  io: CliIo,
  options: SchedulerCommandOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  metrics?: Metrics,
): { readonly intervalMs: number; stop(): Promise<void> } {
  const start = (): {
    held: ReturnType<ReloadableDefinitions["acquire"]>;
    scheduler: ReturnType<typeof startSchedulerInProcess>;
  } => {
    const held = definitions.acquire();
    try {
      return {
        held,
        scheduler: startSchedulerInProcess(held.definitions, runtime, io, options, env, metrics),
      };
    } catch (error) {
      void held.release();
      throw error;
    }
  };
  let current = start();
  let stopped = false;
  // One switch at a time, in order; a reload does not wait for the evaluation in progress.
  let switching = Promise.resolve();
  const off = definitions.onChange((loaded) => {
    switching = switching
      .then(async () => {
        if (stopped) return;
        await current.scheduler.stop();
        await current.held.release();
        current = start();
        io.err(
          `scheduler: evaluating the new definitions (${describeAutomation(loaded.definitions)})`,
        );
      })
      .catch((error: unknown) =>
        io.err(`scheduler: restarting on the new definitions: ${String(error)}`),
      );
  });
  let stopping: Promise<void> | undefined;
  return {
    intervalMs: current.scheduler.intervalMs,
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        off();
        await switching.catch(() => undefined);
        await current.scheduler.stop();
        await current.held.release();
      })()),
  };
}

/**
 * The scheduler loop inside a command's process (`lignee scheduler`, `lignee dev --scheduler`),
 * with its settings from `options` or the environment, counting its evaluations in `metrics`;
 * `stop` ends it (idempotent).
 */
export function startSchedulerInProcess(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  io: CliIo,
  options: SchedulerCommandOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  metrics?: Metrics,
): { readonly intervalMs: number; stop(): Promise<void> } {
  const intervalMs =
    options.intervalMs ??
    positiveNumber(env, "LIGNEE_SCHEDULER_INTERVAL_MS", DEFAULT_SCHEDULER_INTERVAL_MS);
  const catchUpDays =
    options.catchUpDays ?? positiveNumber(env, "LIGNEE_SCHEDULER_CATCH_UP_DAYS", 7);
  const crash =
    env[CRASH_AFTER_TICK_ENV] === "1"
      ? (tick: ScheduleTick): void => {
          io.err(
            `${CRASH_AFTER_TICK_ENV}: dying after recording ${tick.schedule} ${tick.scheduledAt.toISOString()}`,
          );
          process.kill(process.pid, "SIGKILL");
        }
      : undefined;
  // Alert settings are checked first: invalid ones stop the command before anything starts.
  const alerts = startAlertSender({
    definitions,
    databaseUrl: runtime.databaseUrl,
    log: (m) => io.err(m),
    env,
    ...(options.publicUrl ? { defaultPublicUrl: options.publicUrl } : {}),
    // The daily summary lists the assets overdue when it is written.
    overdueAssets:
      options.overdueAssets ??
      (async (now) =>
        (await freshnessLags(definitions, runtime.storage, now))
          .filter((f) => f.overdue)
          .map((f) => f.asset)),
  });
  const store = PostgresAutomationStore.connect(runtime.databaseUrl);
  const backfills = PostgresBackfillStore.connect(runtime.databaseUrl);
  const freshness = PostgresFreshnessStore.connect(runtime.databaseUrl);
  const controller = new AbortController();
  const done = runScheduler({
    definitions,
    storage: runtime.storage,
    store,
    backfills,
    freshness,
    intervalMs,
    catchUpWindowMs: catchUpDays * DAY_MS,
    // Automation's runs are retried like the API's when their worker dies.
    maxAttempts: queueSettingsFromEnv(env).maxAttempts,
    signal: controller.signal,
    log: (m) => io.err(m),
    onAlive: heartbeatFile(env.LIGNEE_HEARTBEAT_FILE),
    ...(metrics ? { onEvaluated: (report, ms) => metrics.scheduler.evaluated(report, ms) } : {}),
    ...(crash ? { afterTickRecorded: crash } : {}),
  });
  let stopped: Promise<void> | undefined;
  return {
    intervalMs,
    stop: () =>
      (stopped ??= (async () => {
        controller.abort();
        await done.catch(() => undefined);
        await alerts.stop();
        await store.close();
        await backfills.close();
        await freshness.close();
      })()),
  };
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    throw new LigneeError("RUNTIME", `${name} must be a positive number (got "${raw}")`);
  }
  return n;
}
