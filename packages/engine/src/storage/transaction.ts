import pg from "pg";
import { LigneeError } from "../errors";

/** PostgreSQL errors worth retrying a whole transaction for: deadlock, serialization failure. */
const RETRYABLE_SQLSTATES = new Set(["40P01", "40001"]);

/**
 * A pool for one of the engine's stores. An idle client can lose its server (the database
 * restarting); without a listener that error would crash the process instead of failing the
 * next query.
 */
export function connectPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on("error", () => undefined);
  return pool;
}

/**
 * How a transaction starts, sent with its BEGIN in one round trip.
 *
 * `asynchronousCommit`: COMMIT returns without waiting for the WAL to reach the disk. For the
 * writes of a running run (claims, materialisations, marks, events): they are visible to
 * everyone at once, and the run's end, committed synchronously, flushes the WAL up to itself,
 * and so every earlier write of the run, to disk. A crash of PostgreSQL itself (or of its
 * machine) can lose the last fraction of a second of a running run's writes, whole transactions
 * only: the database is as if they had not happened (PostgreSQL's `synchronous_commit = off`),
 * and a materialisation lost this way is done again by the next run that asks for it.
 */
export interface TransactionOptions {
  readonly asynchronousCommit?: boolean;
}

/**
 * Makes the statement it is part of commit asynchronously (see `TransactionOptions`), for a
 * write that is a transaction of its own: `… FROM (SELECT ${ASYNCHRONOUS_COMMIT}) AS async`.
 * The setting lasts until the end of the statement's transaction, its commit included.
 */
export const ASYNCHRONOUS_COMMIT = "set_config('synchronous_commit', 'off', true)";

/**
 * Runs `work` in one transaction on one client, retried a few times on deadlock or
 * serialization failure. Lignée's own errors pass through; others become STORAGE errors
 * prefixed with `label`.
 *
 * @example
 * await inTransaction(pool, "run queue", async (tx) => tx.query("UPDATE …"));
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  label: string,
  work: (tx: pg.PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      return await transactionOn(client, work, beginStatement(options));
    } catch (error) {
      if (error instanceof LigneeError) throw error;
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && RETRYABLE_SQLSTATES.has(code) && attempt < 5) {
        await new Promise((r) => setTimeout(r, 5 * attempt * Math.random()));
        continue;
      }
      throw new LigneeError("STORAGE", `${label}: ${(error as Error).message}`, { cause: error });
    } finally {
      client.release();
    }
  }
}

/**
 * Runs `work` in one transaction on one client of `pool`: everything it writes becomes visible
 * at once, or not at all. What `work` throws is rethrown as it is, after the rollback, and
 * nothing is retried: for callers whose work cannot simply run twice (a COPY fed from a stream).
 *
 * @example
 * await withTransaction(pool, async (tx) => { await tx.query("DELETE …"); await tx.query("COPY …"); });
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (tx: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    return await transactionOn(client, work);
  } finally {
    client.release();
  }
}

/** BEGIN and what `options` ask for, as one simple query (constants only, no parameter). */
function beginStatement(options: TransactionOptions): string {
  const statements = ["BEGIN"];
  if (options.asynchronousCommit) statements.push("SET LOCAL synchronous_commit TO off");
  return statements.join("; ");
}

/** BEGIN, `work`, COMMIT on `client`; ROLLBACK and rethrow what `work` threw. */
async function transactionOn<T>(
  client: pg.PoolClient,
  work: (tx: pg.PoolClient) => Promise<T>,
  begin = "BEGIN",
): Promise<T> {
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
