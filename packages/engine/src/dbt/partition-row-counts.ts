import pg from "pg";

/**
 * Each partition's own row count in a model's table after a build, in one query:
 * `select <column>, count(*) from <relation> where <column> between <first> and <last> group by 1`.
 * Partitions with no row count 0. Keys are compared as text (a `date` column reads
 * `2024-08-01`, as daily partition keys do).
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
    const result = await client.query<{ k: string; n: string }>(
      `SELECT ${col}::text AS k, count(*) AS n FROM ${table}
       WHERE ${col}::text BETWEEN $1 AND $2 GROUP BY 1`,
      [sorted[0], sorted[sorted.length - 1]],
    );
    for (const row of result.rows) if (counts.has(row.k)) counts.set(row.k, Number(row.n));
    return counts;
  } finally {
    await client.end();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
