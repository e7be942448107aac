import pg from "pg";

/**
 * How many rows of a dbt test fail in each partition of a model: the test's compiled SQL run
 * once per partition with the model's relation replaced by that partition's rows
 * (`(select * from <model> where <column> = <key>)`), which is what dbt's own `where` config
 * does. One query for every key; the key is cast to the column's type so that its index serves.
 *
 * Undefined when the compiled SQL does not name the model's relation (nothing to restrict).
 *
 * @example
 * await failingRowsByPartition(url, { compiledCode, relationName: '"db"."emploi"."fait"',
 *   column: "jour", partitionKeys: ["2024-08-01", "2024-08-02"] })
 * // Map { "2024-08-01" → 0, "2024-08-02" → 3 }
 */
export async function failingRowsByPartition(
  connectionUrl: string,
  test: {
    readonly compiledCode: string;
    readonly relationName: string;
    readonly column: string;
    readonly partitionKeys: readonly string[];
  },
): Promise<Map<string, number> | undefined> {
  const { compiledCode, relationName, column, partitionKeys } = test;
  if (!relationName || !compiledCode.includes(relationName)) return undefined;
  const client = new pg.Client({ connectionString: connectionUrl });
  await client.connect();
  try {
    const type = await columnType(client, relationName, column);
    const restricted = `(select * from ${relationName} where ${quoteIdentifier(column)} = lignee_partition.key::${type})`;
    const sql = compiledCode.split(relationName).join(restricted).trim().replace(/;+$/, "");
    const result = await client.query<{ key: string; n: string }>(
      `SELECT lignee_partition.key, (SELECT count(*) FROM (${sql}) AS lignee_failing) AS n
       FROM unnest($1::text[]) AS lignee_partition(key)`,
      [partitionKeys],
    );
    return new Map(result.rows.map((r) => [r.key, Number(r.n)]));
  } finally {
    await client.end();
  }
}

/** The column's SQL type as PostgreSQL writes it (`date`, `timestamp with time zone`, `text`). */
async function columnType(client: pg.Client, relation: string, column: string): Promise<string> {
  const { rows } = await client.query<{ type: string | null }>(
    `SELECT format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
     WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped`,
    [relation, column],
  );
  const type = rows[0]?.type;
  if (!type) throw new Error(`${relation} has no column ${column}`);
  return type;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
