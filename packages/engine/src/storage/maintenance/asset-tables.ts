import type { Queryable } from "../runs/queryable";

/**
 * The table each asset's latest materialisation names in its metadata (`table`, else
 * `relation`, as `schema.name`), for the assets that name one.
 */
export async function assetTablesFromMetadata(
  db: Queryable,
  assetKeys: readonly string[],
): Promise<Map<string, string>> {
  const { rows } = await db.query<{ asset_key: string; table: string | null }>(
    `SELECT a.key AS asset_key, coalesce(m.metadata->>'table', m.metadata->>'relation') AS table
       FROM unnest($1::text[]) AS a(key)
       CROSS JOIN LATERAL (
         SELECT metadata FROM lignee.materializations
          WHERE asset_key = a.key ORDER BY id DESC LIMIT 1) m`,
    [assetKeys],
  );
  return new Map(
    rows
      .filter((r) => typeof r.table === "string" && r.table.length > 0)
      .map((r) => [r.asset_key, r.table!]),
  );
}
