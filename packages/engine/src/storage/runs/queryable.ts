import type pg from "pg";

/** A pool or a client in a transaction: run operations that are one statement take either. */
export type Queryable = Pick<pg.PoolClient, "query">;
