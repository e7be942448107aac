import { hostname } from "node:os";
import path from "node:path";
import { migrateDatabase } from "../storage/migrate";
import { PostgresStorage } from "../storage/postgres-storage";
import type { FenceableStorage } from "../storage/storage";
import { runsStartedHere } from "../execution/launch";
import { startEmbeddedPostgres } from "./embedded-postgres";
import { isProcessAlive } from "./process-alive";

export interface RuntimeOptions {
  /** Where local state lives (embedded PostgreSQL data, …). Default: `$LIGNEE_HOME` or `./.lignee`. */
  readonly home?: string;
  /** Any PostgreSQL (14+). Default: `$DATABASE_URL`, else the embedded server. */
  readonly databaseUrl?: string;
  readonly log?: (message: string) => void;
}

export interface Runtime {
  readonly storage: FenceableStorage;
  readonly databaseUrl: string;
  /** The local state directory. */
  readonly home: string;
  /** Runs failed at start because the process running them had died. */
  readonly recoveredRuns: readonly string[];
  /** Closes the storage and leaves the embedded server (the last process to leave stops it). */
  close(): Promise<void>;
}

/**
 * Connects to PostgreSQL (external through DATABASE_URL, or embedded under `.lignee/`),
 * applies migrations and fails the runs a dead process left STARTED, so that nothing hangs.
 */
export async function openRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const home = path.resolve(options.home ?? process.env.LIGNEE_HOME ?? ".lignee");
  const external = externalDatabaseUrl(options.databaseUrl, process.env);
  const embedded = external
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: path.join(home, "pg"),
        port: Number(process.env.LIGNEE_PG_PORT ?? 54329),
        ...(options.log ? { log: options.log } : {}),
      });
  const databaseUrl = external ?? embedded!.url;
  // The engine's own connections reach the embedded server through its Unix socket.
  const localUrl = external ?? embedded!.localUrl;
  try {
    await migrateDatabase(localUrl);
    const storage = PostgresStorage.connect(localUrl);
    const recoveredRuns = await storage.failOrphanedRuns(hostname(), isRunAlive);
    return {
      storage,
      databaseUrl,
      home,
      recoveredRuns,
      close: async () => {
        await storage.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

/**
 * The PostgreSQL to use instead of the embedded one: the option, else `DATABASE_URL`. An empty
 * value counts as none (`DATABASE_URL=` in a shell or a compose file means "not set").
 */
export function externalDatabaseUrl(
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const url = (option ?? env.DATABASE_URL)?.trim();
  return url ? url : undefined;
}

/**
 * Is the process that started this run still running it? Our own pid counts only for runs this
 * process started: a pid recorded by an earlier process may have been reused for us.
 */
function isRunAlive(run: { id: string; pid: number | null }): boolean {
  if (run.pid === null) return false;
  if (run.pid === process.pid) return runsStartedHere.has(run.id);
  return isProcessAlive(run.pid);
}
