import pg from "pg";
import {
  createApp,
  PostgresBackfillStore,
  PostgresStorage,
  RunQueue,
  type App,
  type AppOptions,
  type Definitions,
} from "@lignee/engine";
import { createTestDatabase } from "./database";
import { connectSql, countRows } from "./sql";

/** The API on a fresh test database, with the stores behind it and a SQL client to check them. */
export interface TestApi {
  readonly url: string;
  readonly api: App;
  readonly storage: PostgresStorage;
  readonly backfills: PostgresBackfillStore;
  /** Set when the API queues runs (no worker runs them: they stay QUEUED). */
  readonly queue: RunQueue | undefined;
  readonly sql: pg.Client;
  get(path: string): Promise<Response>;
  /** POSTs `body` as JSON (a string is sent as it is, to test malformed bodies). */
  post(path: string, body?: unknown): Promise<Response>;
  /** Rows of `lignee.<table>`. */
  count(table: "runs" | "backfills"): Promise<number>;
  close(): Promise<void>;
}

/**
 * Creates a database, the storage and backfill store on it and `createApp` over them (plus a
 * run queue when `queue` is given); `close` releases everything.
 */
export async function openTestApi(
  definitions: Definitions<unknown>,
  options: { queue?: { maxAttempts: number } } & Partial<
    Omit<AppOptions, "queue" | "definitions" | "storage" | "backfills" | "environment">
  > = {},
): Promise<TestApi> {
  const { queue: queueOptions, ...appOptions } = options;
  const url = await createTestDatabase();
  const storage = PostgresStorage.connect(url);
  const backfills = PostgresBackfillStore.connect(url);
  const queue = queueOptions ? RunQueue.connect(url) : undefined;
  const sql = await connectSql(url);
  const api = createApp({
    definitions,
    storage,
    backfills,
    ...(queue && queueOptions ? { queue: { queue, maxAttempts: queueOptions.maxAttempts } } : {}),
    environment: { databaseUrl: url, home: "" },
    ...appOptions,
  });
  return {
    url,
    api,
    storage,
    backfills,
    queue,
    sql,
    get: async (path) => api.app.request(path),
    post: async (path, body) => api.app.request(path, jsonRequest(body)),
    count: (table) => countRows(sql, `lignee.${table}`),
    close: async () => {
      await sql.end();
      await queue?.close();
      await backfills.close();
      await storage.close();
    },
  };
}

/** A POST with a JSON body (a string is sent as it is), or none. */
export function jsonRequest(body?: unknown): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  };
}
