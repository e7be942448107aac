import type { Queryable } from "../runs/queryable";

/** The tables maintenance prunes, and so vacuums: a fixed list, never a name from input. */
export const PRUNED_TABLES = [
  "lignee.events",
  "lignee.sensor_ticks",
  "lignee.audit_events",
] as const;
export type PrunedTable = (typeof PRUNED_TABLES)[number];

/**
 * `VACUUM (ANALYZE)` of one pruned table. VACUUM cannot run inside a transaction: `db` must be a
 * pool or a client outside any. It makes deleted rows' space reusable and gives back the
 * table's empty tail to the system; it does not lock out readers or writers.
 */
export async function vacuumAnalyze(db: Queryable, table: PrunedTable): Promise<void> {
  if (!PRUNED_TABLES.includes(table)) throw new Error(`not a pruned table: ${table}`);
  await db.query(`VACUUM (ANALYZE) ${table}`);
}

/** `pg_total_relation_size` (table, indexes and TOAST) of each table, in bytes. */
export async function totalRelationSizes(
  db: Queryable,
  tables: readonly string[],
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ name: string; bytes: string }>(
    `SELECT name, pg_total_relation_size(name::regclass) AS bytes FROM unnest($1::text[]) AS name`,
    [tables],
  );
  return new Map(rows.map((r) => [r.name, Number(r.bytes)]));
}
