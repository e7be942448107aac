import {
  buildExampleDefinitions,
  createApp,
  PostgresAuthStore,
  PostgresAutomationStore,
  PostgresBackfillStore,
  PostgresStorage,
  RunQueue,
  type App,
  type AppOptions,
  type Definitions,
  type Metrics,
  type Role,
} from "@lignee/engine";
import { createTestDatabase } from "./database";

/** The service token of the test apps: it sets up users as an admin would. */
export const SERVICE_TOKEN = "service-s3cret";

/** Who calls: nobody, a signed-in browser (its cookie and CSRF token), a bearer token. */
export type Caller =
  | { readonly kind: "anonymous" }
  | { readonly kind: "session"; readonly cookie: string; readonly csrf: string }
  | { readonly kind: "bearer"; readonly token: string };

export const ANONYMOUS: Caller = { kind: "anonymous" };
export const SERVICE: Caller = { kind: "bearer", token: SERVICE_TOKEN };

export interface CallOptions {
  readonly as?: Caller;
  /** A JSON body (sent as `{}` when a write gives none, unless `null`). */
  readonly body?: unknown;
  /** For a session's writes: its CSRF token (default), another value, or none. */
  readonly csrf?: string | null;
  readonly headers?: Record<string, string>;
}

/** A fresh database, the API over it with users, sessions and tokens, and ways to call it. */
export interface AuthApi {
  readonly url: string;
  readonly app: App;
  readonly store: PostgresAuthStore;
  readonly storage: PostgresStorage;
  call(method: string, path: string, options?: CallOptions): Promise<Response>;
  /** Adds a user through the API (as the service token, or `as`). */
  addUser(name: string, role: Role, password?: string): Promise<void>;
  /** Signs in; fails the test when refused. */
  signIn(name: string, password?: string): Promise<Caller & { kind: "session" }>;
  /** Creates a token for the caller; its secret. */
  createToken(as: Caller, scope: "read" | "operate"): Promise<Caller & { kind: "bearer" }>;
  close(): Promise<void>;
}

export const PASSWORD = "correct horse battery";

/**
 * The example definitions served by `createApp` on a fresh database with a `PostgresAuthStore`,
 * a service token (so that the local mode is off) and a run queue no worker reads (launched
 * runs stay queued).
 */
export async function openAuthApi(
  options: Partial<Pick<AppOptions, "token" | "loopback">> & {
    readonly sessions?: { idleMs: number; absoluteMs: number };
    readonly definitions?: Definitions<unknown>;
    readonly databaseUrl?: string;
    readonly metrics?: Metrics;
  } = {},
): Promise<AuthApi> {
  const url = options.databaseUrl ?? (await createTestDatabase());
  const storage = PostgresStorage.connect(url);
  const backfills = PostgresBackfillStore.connect(url);
  const queue = RunQueue.connect(url);
  const store = PostgresAuthStore.connect(url);
  const automation = PostgresAutomationStore.connect(url);
  const app = createApp({
    definitions: options.definitions ?? (buildExampleDefinitions() as Definitions<unknown>),
    storage,
    backfills,
    automation,
    queue: { queue, maxAttempts: 1 },
    environment: { databaseUrl: url, home: "" },
    ...(options.metrics ? { metrics: options.metrics } : {}),
    auth: { store, ...(options.sessions ? { sessions: options.sessions } : {}) },
    ...("token" in options
      ? options.token
        ? { token: options.token }
        : {}
      : { token: SERVICE_TOKEN }),
    ...(options.loopback !== undefined ? { loopback: options.loopback } : {}),
  });

  const call = async (method: string, path: string, o: CallOptions = {}): Promise<Response> => {
    const as = o.as ?? ANONYMOUS;
    const write = !["GET", "HEAD", "OPTIONS"].includes(method);
    const headers: Record<string, string> = { ...o.headers };
    if (as.kind === "bearer") headers.authorization = `Bearer ${as.token}`;
    if (as.kind === "session") {
      headers.cookie = `lignee_session=${as.cookie}`;
      const csrf = o.csrf === undefined ? as.csrf : o.csrf;
      if (write && csrf !== null) headers["x-lignee-csrf"] = csrf;
    }
    const body = o.body === undefined ? (write ? {} : null) : o.body;
    if (body !== null) headers["content-type"] = "application/json";
    return app.app.request(path, {
      method,
      headers,
      ...(body !== null ? { body: JSON.stringify(body) } : {}),
    });
  };

  const signIn = async (name: string, password = PASSWORD) => {
    const res = await call("POST", "/api/session", { body: { name, password } });
    if (res.status !== 200)
      throw new Error(`sign-in of ${name}: ${res.status} ${await res.text()}`);
    const cookie = /lignee_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    if (!cookie) throw new Error("no session cookie");
    return { kind: "session" as const, cookie, csrf: csrfToken };
  };

  return {
    url,
    app,
    store,
    storage,
    call,
    signIn,
    addUser: async (name, role, password = PASSWORD) => {
      const res = await call("POST", "/api/users", {
        as: SERVICE,
        body: { name, role, password },
      });
      if (res.status !== 201) throw new Error(`adding ${name}: ${res.status} ${await res.text()}`);
    },
    createToken: async (as, scope) => {
      const res = await call("POST", "/api/tokens", { as, body: { label: "test", scope } });
      if (res.status !== 201) throw new Error(`token: ${res.status} ${await res.text()}`);
      const { secret } = (await res.json()) as { secret: string };
      return { kind: "bearer" as const, token: secret };
    },
    close: async () => {
      await app.runs.stopAll();
      await store.close();
      await automation.close();
      await queue.close();
      await backfills.close();
      await storage.close();
    },
  };
}
