import pg from "pg";

/**
 * Each partition's own row count in a model's table after a build, in one query:
 * `select <column>::text, count(*) from <relation> where <column> = any(<keys>) group by <column>`,
 * the keys read as values of the column's own type. Partitions with no row count 0. A count
 * reads only the partitions built, through an index on the column when there is one: a daily
 * run's cost is its day's, however long the table's history. A key that is not a value of the
 * column's type (or a column whose type has no `=`) fails the whole count, which the caller
 * reports as a warning.
 *
 * @example
 * await partitionRowCounts(url, { schema: "emploi", name: "fait_offre_emploi" }, "jour", ["2024-08-01"])
 * // Map { "2024-08-01" → 812 }
 */
export async function partitionRowCounts(
  connectionUrl: string,
  relation: { readonly schema: string; readonly name: string },
  column: string,
  partitionKeys: readonly string[],
): Promise<Map<string, number>> {
  const sorted = [...partitionKeys].sort();
  const counts = new Map<string, number>(sorted.map((k) => [k, 0]));
  if (sorted.length === 0) return counts;
  const client = new pg.Client({ connectionString: connectionUrl });
  await client.connect();
  try {
    const col = quoteIdentifier(column);
    const table = `${quoteIdentifier(relation.schema)}.${quoteIdentifier(relation.name)}`;
    const type = await columnType(client, table, column);
    const result = await client.query<{ k: string; n: string }>(
      partitionCountSql(table, col, type),
      [sorted],
    );
    for (const row of result.rows) if (counts.has(row.k)) counts.set(row.k, Number(row.n));
    return counts;
  } finally {
    await client.end();
  }
}

/**
 * The count's SQL for a quoted table and column of type `type` (as `format_type` names it);
 * `$1` is the partition keys (text[]). Exported for its test.
 */
export function partitionCountSql(table: string, col: string, type: string): string {
  return `SELECT ${col}::text AS k, count(*) AS n FROM ${table}
    WHERE ${col} = ANY ($1::text[]::${type}[]) GROUP BY ${col}`;
}

/**
 * The column's type as `format_type` names it (`date`, `character varying`…), without its
 * modifier, so that no key is cut or rounded on the way (`varchar(2)`, `numeric(5,1)`).
 */
async function columnType(client: pg.Client, table: string, column: string): Promise<string> {
  const { rows } = await client.query<{ type: string }>(
    `SELECT format_type(atttypid, NULL) AS type FROM pg_attribute
     WHERE attrelid = $1::regclass AND attname = $2 AND attnum > 0 AND NOT attisdropped`,
    [table, column],
  );
  if (!rows[0]) throw new Error(`${table} has no column ${quoteIdentifier(column)}`);
  return rows[0].type;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
