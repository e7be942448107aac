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
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      return await transactionOn(client, work);
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

/** BEGIN, `work`, COMMIT on `client`; ROLLBACK and rethrow what `work` threw. */
async function transactionOn<T>(
  client: pg.PoolClient,
  work: (tx: pg.PoolClient) => Promise<T>,
): Promise<T> {
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
