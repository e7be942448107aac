import type pg from "pg";
import { connectPool } from "../transaction";
import type { FreshnessStateRecord } from "./freshness-row";
import type { FreshnessTarget, FreshnessTransition } from "./freshness-transition";
import { listFreshnessStates } from "./list-freshness-states";
import { recordFreshness } from "./record-freshness";

/** Where the scheduler records freshness transitions (see `recordFreshness`). */
export interface FreshnessStore {
  listStates(): Promise<FreshnessStateRecord[]>;
  record(target: FreshnessTarget): Promise<FreshnessTransition | undefined>;
  close(): Promise<void>;
}

/**
 * The PostgreSQL `FreshnessStore` over `lignee.freshness_state` and the alert outbox.
 *
 * @example
 * const freshness = PostgresFreshnessStore.connect(databaseUrl);
 * new Scheduler({ definitions, storage, store, freshness });
 */
export class PostgresFreshnessStore implements FreshnessStore {
  private constructor(private readonly pool: pg.Pool) {}

  static connect(connectionString: string, max = 2): PostgresFreshnessStore {
    return new PostgresFreshnessStore(connectPool(connectionString, max));
  }

  listStates(): Promise<FreshnessStateRecord[]> {
    return listFreshnessStates(this.pool);
  }

  record(target: FreshnessTarget): Promise<FreshnessTransition | undefined> {
    return recordFreshness(this.pool, target);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
