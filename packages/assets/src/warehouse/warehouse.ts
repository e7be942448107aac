import { connectPool, withTransaction } from "@lignee/engine";
import type pg from "pg";

/**
 * The warehouse: the PostgreSQL database the raw sources are loaded into (schema `raw`) and the
 * dbt models are built in (schema `emploi`). By default the engine's own database.
 */
export class Warehouse {
  readonly pool: pg.Pool;

  constructor(readonly databaseUrl: string) {
    this.pool = connectPool(databaseUrl, 8);
  }

  /**
   * Runs `work` in one transaction on one connection: everything it writes becomes visible at
   * once, or not at all (an error, a crash or a cancellation leaves the previous data intact).
   * Not retried: a load reads its input once.
   */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, work);
  }

  /** Applies idempotent DDL (CREATE … IF NOT EXISTS), serialised across processes. */
  async ensure(ddl: string): Promise<void> {
    await this.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('lignee.warehouse.ddl'))");
      await client.query("SET LOCAL client_min_messages = warning");
      await client.query(ddl);
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
