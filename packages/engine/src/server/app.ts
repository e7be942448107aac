import { Hono } from "hono";
import type { AutomationStore } from "../automation/automation-store";
import type { BackfillStore } from "../backfill/backfill-store";
import type { Definitions, ResourceEnvironment } from "../definitions/definitions";
import type { ReloadableDefinitions } from "../reload/reloadable-definitions";
import type { Metrics } from "../metrics/metrics";
import { clip } from "../errors";
import { confirmLimitFromEnv } from "../planning/confirmation";
import type { RunQueue } from "../queue/run-queue";
import type { AuthStore } from "../storage/auth/auth-store";
import type { Storage } from "../storage/storage";
import { apiMethods } from "./allowed-methods";
import { registerAlertRoutes, type AlertRoutesOptions } from "./alert-routes";
import { registerAccountRoutes } from "./account-routes";
import { registerAuditRoutes } from "./audit-routes";
import { withAuditTrail } from "./auth/audit";
import { authenticate } from "./auth/authenticate";
import { sessionLimitsFromEnv, type SessionLimits } from "./auth/session-limits";
import { registerAssetRoutes } from "./asset-routes";
import { registerAutomationRoutes } from "./automation-routes";
import { registerBackfillRoutes } from "./backfill-routes";
import { registerCheckRoutes } from "./check-routes";
import { registerDefinitionsRoutes } from "./definitions-routes";
import { registerDynamicPartitionRoutes } from "./dynamic-partition-routes";
import { registerEventRoutes } from "./event-routes";
import { allowHosts, sameOriginWrites } from "./guards";
import { registerHealthRoutes } from "./health-routes";
import { HttpError, methodNotAllowed, toHttpError } from "./http-error";
import { registerMetricsRoutes } from "./metrics-routes";
import { limitBodies } from "./request-limits";
import { RunManager } from "./run-manager";
import { registerRunRoutes } from "./run-routes";
import { registerSessionRoutes } from "./session-routes";
import { registerTokenRoutes } from "./token-routes";
import { registerUserRoutes } from "./user-routes";
import { registerOperationsRoutes } from "./operations-routes";
import { maintenanceStarter } from "./start-maintenance";
import { runPreviewer, runStarter } from "./start-run";
import { registerUiRoutes } from "./ui-routes";

export interface AppOptions {
  readonly definitions: Definitions<unknown>;
  /**
   * Where `definitions` come from when they can be loaded again (`/api/definitions/reload`);
   * the app itself serves `definitions` alone: a server makes a new app for new definitions.
   */
  readonly reloadable?: ReloadableDefinitions;
  readonly storage: Storage;
  /** Where runs' resources come from (`Definitions.resolveResources`). */
  readonly environment: ResourceEnvironment;
  /**
   * The service token: `Authorization: Bearer <token>` acts as admin. Without users, every /api
   * call then needs it.
   */
  readonly token?: string;
  /**
   * Users, sessions, API tokens and the audit trail. Once a user is active, every /api call
   * needs a sign-in, a user's token or the service token. Without it, the service token alone
   * when set, else anybody (the local mode). `sessions`: default `sessionLimitsFromEnv`.
   */
  readonly auth?: { readonly store: AuthStore; readonly sessions?: SessionLimits };
  /**
   * Is the server bound to loopback (default true)? Only there may callers go without a
   * sign-in when no user is active and no token is set.
   */
  readonly loopback?: boolean;
  /**
   * The server's public address (default `LIGNEE_PUBLIC_URL`): writes from its origin are its
   * own, whatever `Host` a reverse proxy sends.
   */
  readonly publicUrl?: string;
  /**
   * Reached through a trusted reverse proxy (default `LIGNEE_TRUST_PROXY=1`): the sign-in rate
   * limit counts per the client address the proxy adds to `X-Forwarded-For`.
   */
  readonly trustProxy?: boolean;
  /** When set, requests whose `Host` names another host are refused (see `allowHosts`). */
  readonly allowedHosts?: readonly string[];
  /**
   * The built UI (absolute, or relative to the working directory); served at / once it holds an
   * index.html.
   */
  readonly uiDir?: string;
  /**
   * When set, runs are queued for workers (`lignee worker`, or the one `lignee dev` runs)
   * instead of executing in this process, and cancellation reaches them wherever they run.
   */
  readonly queue?: { readonly queue: RunQueue; readonly maxAttempts: number };
  /** Backfills (`/api/backfills`); without it those endpoints answer 404. */
  readonly backfills?: BackfillStore;
  /** Schedules, sensors and eager automation (`/api/automation`); without it, 404. */
  readonly automation?: AutomationStore;
  /** Alert channels and deliveries (`/api/alerts`); without it, 404. */
  readonly alerts?: AlertRoutesOptions["alerts"];
  /**
   * Partitions of one asset a request may materialise without `"confirm": true` (default
   * `LIGNEE_CONFIRM_PARTITIONS`, else 100); an asset's `confirmAbove` may lower it.
   */
  readonly confirmAbove?: number;
  /** How often an event stream polls storage when nothing woke it (ms). */
  readonly pollMs?: number;
  /** When set, `GET /metrics` serves them (Prometheus text), under the same token as /api. */
  readonly metrics?: Metrics;
  readonly log?: (message: string) => void;
}

export interface App {
  readonly app: Hono;
  readonly runs: RunManager;
}

/**
 * The HTTP API as a Hono app (no listening socket: `createServer` adds that, tests call
 * `app.request`). Runs started here execute in this process.
 *
 * @example
 * const { app } = createApp({ definitions, storage, environment: { databaseUrl, home } });
 * const res = await app.request("/api/assets");
 */
export function createApp(options: AppOptions): App {
  const { definitions, storage } = options;
  const log = options.log ?? ((m: string) => console.error(m));
  const pollMs = options.pollMs ?? 250;
  const confirmAbove = options.confirmAbove ?? confirmLimitFromEnv(process.env);
  const runs = new RunManager({
    definitions,
    storage,
    environment: options.environment,
    log,
  });
  const app = new Hono();

  app.onError((error, c) => {
    const { status, body, headers } = toHttpError(error);
    if (status === 500) log(`${c.req.method} ${c.req.path}: ${String(error)}`);
    return c.json(body, status, headers);
  });
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${clip(c.req.path)}` }, 404));

  if (options.allowedHosts !== undefined) app.use("*", allowHosts(options.allowedHosts));
  app.use(
    "/api/*",
    sameOriginWrites({ publicUrl: options.publicUrl ?? process.env.LIGNEE_PUBLIC_URL }),
  );
  const store = options.auth?.store;
  const sessions = options.auth?.sessions ?? sessionLimitsFromEnv(process.env);
  const guard = authenticate({
    ...(store ? { store } : {}),
    ...(options.token !== undefined ? { serviceToken: options.token } : {}),
    loopback: options.loopback ?? true,
    sessions,
  });
  app.use("/api/*", guard);
  // After the principal: a caller not admitted gets 401 or 403, whatever it sends.
  app.use("/api/*", limitBodies());
  app.use("/api/*", withAuditTrail(store ? { store, log } : undefined));
  // Answers are data, never documents a browser would render or sniff.
  app.use("/api/*", async (c, next) => {
    await next();
    c.header("X-Content-Type-Options", "nosniff");
  });

  registerHealthRoutes(app, { storage, log });
  registerSessionRoutes(app, {
    store,
    sessions,
    trustProxy: options.trustProxy ?? process.env.LIGNEE_TRUST_PROXY === "1",
  });
  registerUserRoutes(app, { store });
  registerAccountRoutes(app, { store, sessions });
  registerTokenRoutes(app, { store });
  registerAuditRoutes(app, { store });
  registerDefinitionsRoutes(app, {
    definitions,
    ...(options.reloadable ? { reloadable: options.reloadable } : {}),
  });
  const startRun = runStarter({
    definitions,
    storage,
    runs,
    queue: options.queue,
    confirmAbove,
  });
  registerCheckRoutes(app, { definitions, storage, startRun });
  registerAssetRoutes(app, { definitions, storage });
  const previewRun = runPreviewer({ definitions, storage, confirmAbove });
  const startMaintenance = maintenanceStarter({
    definitions,
    storage,
    environment: options.environment,
    queue: options.queue,
    log,
  });
  registerRunRoutes(app, {
    definitions,
    storage,
    runs,
    queue: options.queue,
    startRun,
    previewRun,
    startMaintenance,
  });
  registerEventRoutes(app, { storage, runs, pollMs });

  registerBackfillRoutes(app, {
    definitions,
    storage,
    confirmAbove,
    backfills: options.backfills,
    ...(options.queue ? { maxAttempts: options.queue.maxAttempts } : {}),
  });

  registerDynamicPartitionRoutes(app, { definitions, storage });
  registerAutomationRoutes(app, { definitions, automation: options.automation });
  registerAlertRoutes(app, { alerts: options.alerts });

  registerOperationsRoutes(app, {
    definitions,
    environment: options.environment,
    automation: options.automation,
    startMaintenance,
  });

  // Unknown API paths are JSON 404s, never the UI's fallback page; a known path asked with a
  // method it does not answer is a 405 naming the methods it does.
  const methodsOf = apiMethods(app);
  app.all("/api/*", (c) => {
    const allowed = methodsOf(c.req.path);
    if (allowed.length > 0) throw methodNotAllowed(c.req.method, c.req.path, allowed);
    throw new HttpError(404, `no route for ${c.req.method} ${clip(c.req.path)}`);
  });

  if (options.metrics) registerMetricsRoutes(app, options.metrics, guard);

  registerUiRoutes(app, options.uiDir);

  return { app, runs };
}
