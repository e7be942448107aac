import type pg from "pg";
import { LeaseLostError } from "../errors";
import type { RunFence } from "./storage";

/** Whether a run is still leased to a worker: STARTED, its worker, its lease unexpired. */
const LEASE_HELD = `SELECT 1 FROM lignee.runs
  WHERE id = $1 AND worker_id = $2 AND status = 'STARTED' AND lease_expires_at > now()`;

/**
 * The lease check of a worker's view of storage (`PostgresStorage.fenced`), or no check at all
 * for an unfenced view. Materialisations check the lease inside their transaction, locking the
 * run row against a concurrent expiry until they commit (`check`); the other writes of a run
 * (events, running and failed marks, check results) check it just before writing (`held`),
 * which leaves a window of milliseconds against a lease of seconds.
 */
export class LeaseFence {
  constructor(
    private readonly pool: pg.Pool,
    private readonly fence?: RunFence,
  ) {}

  /** Whether this is a worker's view, whose writes check its lease. */
  get fenced(): boolean {
    return this.fence !== undefined;
  }

  /** Whether this view may still write for its run (always, without a fence). */
  async held(): Promise<boolean> {
    if (!this.fence) return true;
    const held = await this.pool.query(LEASE_HELD, [this.fence.runId, this.fence.workerId]);
    return held.rows.length > 0;
  }

  /** Throws LeaseLostError unless the lease is held; in `tx`, keeps the run row locked. */
  async check(tx: pg.PoolClient): Promise<void> {
    if (!this.fence) return;
    const held = await tx.query(`${LEASE_HELD} FOR SHARE`, [this.fence.runId, this.fence.workerId]);
    if (held.rows.length === 0) throw new LeaseLostError(this.fence.runId);
  }

  /** `held`, throwing LeaseLostError for `runId` when it is not. */
  async require(runId: string): Promise<void> {
    if (!(await this.held())) throw new LeaseLostError(runId);
  }
}
