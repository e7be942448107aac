import type pg from "pg";
import { connectPool } from "../transaction";
import { checkOutcomes, type CheckOutcomeCount } from "./check-outcomes";
import { latestRowCounts } from "./latest-rows";
import { queueDepth, type QueueDepth } from "./queue-depth";
import { runsByStatus } from "./runs-by-status";

/** What the metrics endpoint reads from storage at each scrape: a few aggregate queries. */
export interface MetricsStore {
  runsByStatus(): Promise<Map<string, number>>;
  queueDepth(): Promise<QueueDepth>;
  latestRowCounts(): Promise<Map<string, number>>;
  checkOutcomes(): Promise<CheckOutcomeCount[]>;
  close(): Promise<void>;
}

/**
 * The metrics' reads over their own small pool (one connection per query of a scrape, so that
 * they run at once; a scrape never waits behind the API's queries).
 *
 * @example
 * const store = PostgresMetricsStore.connect(databaseUrl);
 * await store.queueDepth(); // { depth: 3, oldestAgeSeconds: 12.5 }
 */
export class PostgresMetricsStore implements MetricsStore {
  private constructor(private readonly pool: pg.Pool) {}

  static connect(connectionString: string): PostgresMetricsStore {
    return new PostgresMetricsStore(connectPool(connectionString, 4));
  }

  runsByStatus(): Promise<Map<string, number>> {
    return runsByStatus(this.pool);
  }

  queueDepth(): Promise<QueueDepth> {
    return queueDepth(this.pool);
  }

  latestRowCounts(): Promise<Map<string, number>> {
    return latestRowCounts(this.pool);
  }

  checkOutcomes(): Promise<CheckOutcomeCount[]> {
    return checkOutcomes(this.pool);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export type { CheckOutcomeCount, QueueDepth };
