import type pg from "pg";

/**
 * What a quality check of the job-offer warehouse finds: plain data, shaped as the engine's
 * `CheckEvaluation` so that a `defineCheck` returns it as it is.
 */
export interface QualityResult {
  readonly passed: boolean;
  /** One line saying what was found. */
  readonly description: string;
  readonly metadata: Readonly<Record<string, string | number | boolean | null>>;
}

/** Where the checks read: the warehouse's pool, or one of its connections. */
export type Queryable = pg.Pool | pg.PoolClient;

/** 12,345 */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** 99.5 % (one decimal, never rounded up to 100 % while something is missing). */
export function percent(share: number): string {
  const tenths = Math.floor(share * 1000) / 10;
  return `${tenths.toFixed(1)} %`;
}

/**
 * Throws an error naming the missing tables and the assets that build them, before a check
 * reads tables another asset builds (a clearer message than "relation does not exist").
 */
export async function requireTables(
  db: Queryable,
  tables: Readonly<Record<string, string>>,
): Promise<void> {
  const names = Object.keys(tables);
  const { rows } = await db.query<{ name: string }>(
    `SELECT name FROM unnest($1::text[]) WITH ORDINALITY AS t(name, i)
     WHERE to_regclass(name) IS NULL ORDER BY i`,
    [names],
  );
  if (rows.length === 0) return;
  const missing = rows.map((r) => `${r.name} (built by ${tables[r.name]})`).join(", ");
  throw new Error(`missing tables: ${missing}; materialise them first`);
}
