import type { Queryable } from "./runs/queryable";

/**
 * The recorded partitions layouts of every asset, as status reads them on each evaluation: a
 * static layout's text grows with its keys, so each call reads only every layout's hash, and the
 * text of those that changed since this process last read them.
 */
export class PartitionsLayoutsCache {
  private readonly known = new Map<string, { readonly hash: string; readonly layout: string }>();

  async read(db: Queryable): Promise<Map<string, string>> {
    const hashes = await db.query<{ asset_key: string; hash: string }>(
      "SELECT asset_key, md5(layout) AS hash FROM lignee.asset_partitions_layouts",
    );
    const changed = hashes.rows
      .filter((r) => this.known.get(r.asset_key)?.hash !== r.hash)
      .map((r) => r.asset_key);
    if (changed.length > 0) {
      const full = await db.query<{ asset_key: string; layout: string; hash: string }>(
        `SELECT asset_key, layout, md5(layout) AS hash FROM lignee.asset_partitions_layouts
         WHERE asset_key = ANY($1::text[])`,
        [changed],
      );
      for (const r of full.rows) this.known.set(r.asset_key, { hash: r.hash, layout: r.layout });
    }
    const out = new Map<string, string>();
    for (const r of hashes.rows) {
      const layout = this.known.get(r.asset_key)?.layout;
      if (layout !== undefined) out.set(r.asset_key, layout);
    }
    return out;
  }
}
