import type pg from "pg";

/** A pool or a client in a transaction: run operations that are one statement take either. */
export type Queryable = Pick<pg.PoolClient, "query">;

/** Channel NOTIFYed when runs are queued, so idle workers start at once. */
export const QUEUE_CHANNEL = "lignee_run_queued";
