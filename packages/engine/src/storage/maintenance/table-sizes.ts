import type { Queryable } from "../runs/queryable";

/** One table of the database with its size on disk (table, indexes and TOAST). */
export interface TableSize {
  readonly schema: string;
  readonly name: string;
  readonly bytes: number;
  /** PostgreSQL's estimate (`reltuples`), -1 when the table was never analysed. */
  readonly estimatedRows: number;
}

/**
 * Every table (ordinary, partitioned children included, and materialised views) outside the
 * system schemas, largest first, and the database's own size.
 */
export async function tableSizes(
  db: Queryable,
): Promise<{ databaseBytes: number; tables: TableSize[] }> {
  const [tables, database] = await Promise.all([
    db.query<{ schema: string; name: string; bytes: string; rows: string }>(
      `SELECT n.nspname AS schema, c.relname AS name,
              pg_total_relation_size(c.oid) AS bytes, c.reltuples::bigint AS rows
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'm')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
        ORDER BY pg_total_relation_size(c.oid) DESC, n.nspname, c.relname`,
    ),
    db.query<{ bytes: string }>("SELECT pg_database_size(current_database()) AS bytes"),
  ]);
  return {
    databaseBytes: Number(database.rows[0]!.bytes),
    tables: tables.rows.map((r) => ({
      schema: r.schema,
      name: r.name,
      bytes: Number(r.bytes),
      estimatedRows: Number(r.rows),
    })),
  };
}
