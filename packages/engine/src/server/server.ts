import { freshnessLags } from "./freshness-lags";
import { loadDynamicPartitions } from "../storage/dynamic-partitions/load-dynamic-partitions";
import { BlockList, isIP, type AddressInfo } from "node:net";
import type { ServerType } from "@hono/node-server";
import { PostgresAutomationStore } from "../automation/postgres-automation-store";
import { PostgresBackfillStore } from "../backfill/postgres-backfill-store";
import { resumeInterruptedBackfills } from "../backfill/launch-backfill";
import type { Definitions } from "../definitions/definitions";
import type { ReloadableDefinitions } from "../reload/reloadable-definitions";
import { LigneeError } from "../errors";
import { Metrics } from "../metrics/metrics";
import type { StorageMetricsOptions } from "../metrics/storage-metrics";
import type { Runtime } from "../runtime/runtime";
import { PostgresMetricsStore } from "../storage/metrics/postgres-metrics-store";
import { createApp, type App, type AppOptions } from "./app";
import { alertSettings } from "../alerts/alert-settings";
import { PostgresAlertStore } from "../storage/alerts/alert-store";
import { ensureFirstAdmin } from "./auth/first-admin";
import type { AuthStore } from "../storage/auth/auth-store";
import { PostgresAuthStore } from "../storage/auth/postgres-auth-store";
import { sessionLimitsFromEnv, type SessionLimits } from "./auth/session-limits";
import type { AuthMode } from "./wire";

export interface ServerOptions {
  readonly definitions: Definitions<unknown>;
  /**
   * Definitions that can be loaded again (`lignee dev`, `lignee server`): the server then serves
   * their current version (a new app for each), and `definitions` is ignored.
   */
  readonly reloadable?: ReloadableDefinitions;
  readonly runtime: Pick<Runtime, "storage" | "databaseUrl" | "home">;
  /** Default 127.0.0.1: the API controls runs, so it is not exposed unless asked. */
  readonly host?: string;
  /** Default 3000; 0 picks a free port. */
  readonly port?: number;
  /**
   * Default `$LIGNEE_API_TOKEN`: acts as admin. A non-loopback host needs it or an active user.
   */
  readonly token?: string;
  /**
   * Users, sessions and tokens: by default a `PostgresAuthStore` on the runtime's database
   * (closed with the server); `sessions` default `sessionLimitsFromEnv`. At start, the admin of
   * `LIGNEE_ADMIN_USER`/`LIGNEE_ADMIN_PASSWORD` is created when there is no user yet.
   */
  readonly auth?: { readonly store?: AuthStore; readonly sessions?: SessionLimits };
  readonly uiDir?: string;
  /** Queue runs for workers instead of executing them in this process (see AppOptions.queue). */
  readonly queue?: AppOptions["queue"];
  /**
   * The process's metrics, served at `GET /metrics` with what storage knows added (default: a
   * registry of its own). `lignee dev` passes the one its worker and scheduler count in.
   */
  readonly metrics?: Metrics;
  /** Metrics read from other parts of the platform at each scrape (freshness, alerts). */
  readonly metricsSources?: Pick<StorageMetricsOptions, "freshnessLags" | "alertDeliveries">;
  readonly log?: (message: string) => void;
}

export interface RunningServer {
  readonly url: string;
  /**
   * Who it admits, as it started: `local` (loopback, no user, no token: one user without
   * sign-in), `token` (the service token only) or `users` (sign-in or a token). Adding the
   * first user while it runs turns sign-in on.
   */
  readonly access: AuthMode;
  /** The app serving now (a new one after each reload of the definitions). */
  readonly app: App;
  /** Stops accepting requests, cancels this server's runs and waits for them to end. */
  close(): Promise<void>;
}

/** Starting the server was refused (an exposed host without a token or a user). */
export class ServerConfigError extends LigneeError {
  constructor(message: string) {
    super("RUNTIME", message);
  }
}

/** 127.0.0.0/8 and ::1 (IPv4-mapped IPv6 addresses are checked against the IPv4 range). */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/**
 * Is this host to bind a loopback one? Addresses are parsed, not matched as text: a name such
 * as `127.example.com` resolves wherever its owner wants. `localhost` is the one name trusted.
 */
export function isLoopback(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  const address = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const family = isIP(address);
  if (family === 0) return false;
  return LOOPBACK.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Serves the API over HTTP. Binding anything but loopback without a token or an active user is
 * refused: the API starts runs and exposes the warehouse's metadata.
 *
 * @example
 * const server = await createServer({ definitions, runtime, port: 3000 });
 * console.log(server.url); // http://127.0.0.1:3000
 * await server.close();
 */
export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? (process.env.LIGNEE_API_TOKEN || undefined);
  const definitionsNow = (): Definitions<unknown> =>
    options.reloadable?.current().definitions ?? options.definitions;
  // Invalid alert settings stop the server before it listens, as they stop the scheduler.
  alertSettings(definitionsNow());
  const sessions = options.auth?.sessions ?? sessionLimitsFromEnv(process.env);
  const ownAuthStore = options.auth?.store === undefined;
  const authStore = options.auth?.store ?? PostgresAuthStore.connect(options.runtime.databaseUrl);
  let access: AuthMode;
  try {
    await ensureFirstAdmin(authStore, process.env);
    const users = await authStore.hasActiveUsers();
    access = users ? "users" : token !== undefined ? "token" : "local";
    if (!isLoopback(host) && token === undefined && !users) {
      throw new ServerConfigError(
        `refusing to listen on ${host} without a token or a user: set LIGNEE_API_TOKEN, or add an admin (lignee users add NAME --role admin, or LIGNEE_ADMIN_USER and LIGNEE_ADMIN_PASSWORD), or bind 127.0.0.1`,
      );
    }
  } catch (error) {
    if (ownAuthStore) await authStore.close();
    throw error;
  }
  const closeAuthStore = async (): Promise<void> => {
    if (ownAuthStore) await authStore.close();
  };
  const backfills = PostgresBackfillStore.connect(options.runtime.databaseUrl, { max: 4 });
  const alertStore = PostgresAlertStore.connect(options.runtime.databaseUrl);
  const automation = PostgresAutomationStore.connect(options.runtime.databaseUrl, { max: 2 });
  const log = options.log ?? ((m: string) => console.error(m));
  const metricsStore = PostgresMetricsStore.connect(options.runtime.databaseUrl);
  const metrics = options.metrics ?? new Metrics();
  metrics.readStorage({
    store: metricsStore,
    freshnessLags: () => freshnessLags(definitionsNow(), options.runtime.storage, new Date()),
    alertDeliveries: () => alertStore.deliveryCounts(),
    ...options.metricsSources,
    log,
  });
  const appFor = (definitions: Definitions<unknown>): App =>
    createApp({
      metrics,
      definitions,
      ...(options.reloadable ? { reloadable: options.reloadable } : {}),
      backfills,
      automation,
      alerts: { store: alertStore, settings: alertSettings(definitions) },
      storage: options.runtime.storage,
      environment: { databaseUrl: options.runtime.databaseUrl, home: options.runtime.home },
      ...(token !== undefined ? { token } : {}),
      auth: { store: authStore, sessions },
      loopback: isLoopback(host),
      // On loopback, only loopback names: a rebinding DNS name reaching 127.0.0.1 is refused.
      ...(isLoopback(host) ? { allowedHosts: ["localhost", "127.0.0.1", "[::1]", host] } : {}),
      ...(options.uiDir !== undefined ? { uiDir: options.uiDir } : {}),
      ...(options.queue !== undefined ? { queue: options.queue } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  // Requests go to the app of the current definitions; those already answering finish on theirs.
  let app = appFor(definitionsNow());
  // Without a queue, an app's runs execute in this process: its app is kept to stop them at
  // close. With one (`lignee dev`, `lignee server`), a replaced app holds nothing.
  const inProcess = [app];
  const stopFollowing = options.reloadable?.onChange((loaded) => {
    app = appFor(loaded.definitions);
    if (options.queue === undefined) inProcess.push(app);
    else inProcess.splice(0, inProcess.length, app);
  });
  let server: ServerType;
  try {
    // Loaded when serving only: it sets up Node.js' fetch classes when it loads, which every CLI
    // start would pay for.
    const { serve } = await import("@hono/node-server");
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve(
        {
          fetch: (request, env) => app.app.fetch(request, env),
          hostname: host,
          port: options.port ?? 3000,
        },
        () => resolve(s),
      );
      s.once("error", reject);
    });
  } catch (error) {
    stopFollowing?.();
    await backfills.close();
    await automation.close();
    await metricsStore.close();
    await alertStore.close();
    await closeAuthStore();
    throw error;
  }
  // A backfill whose creation was interrupted (its process died) gets its missing runs.
  const maxAttempts = options.queue?.maxAttempts;
  void loadDynamicPartitions(definitionsNow(), options.runtime.storage)
    .then((definitions) =>
      resumeInterruptedBackfills(definitions, backfills, {
        log,
        ...(maxAttempts !== undefined ? { maxAttempts } : {}),
      }),
    )
    .then(
      (ids) => ids.forEach((id) => log(`backfill ${id}: interrupted creation resumed`)),
      (error: unknown) => log(`resuming interrupted backfills: ${String(error)}`),
    );
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    access,
    get app() {
      return app;
    },
    close: async () => {
      stopFollowing?.();
      await Promise.all(inProcess.map((a) => a.runs.stopAll()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open event streams would keep the server from closing.
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      await backfills.close();
      await automation.close();
      await metricsStore.close();
      await alertStore.close();
      await closeAuthStore();
    },
  };
}
