import type { Queryable } from "../runs/queryable";
import {
  DynamicPartitionKeys,
  DynamicPartitionsSnapshot,
  type DynamicPartitionKeyRow,
} from "../../partitions/dynamic";

/**
 * Reads the keys of dynamic partitions sets (removed keys included, marked) as one snapshot:
 * what an evaluation reads once, before status, planning or mappings look at them. The keys of
 * a set are kept with the version they were read at, and read again only when the set's
 * version moved: an evaluation of sets with many keys that did not change costs one small query.
 */
export class DynamicPartitionsReader {
  private readonly cache = new Map<string, { version: number; keys: DynamicPartitionKeys }>();

  constructor(private readonly db: Queryable) {}

  async read(names: readonly string[]): Promise<DynamicPartitionsSnapshot> {
    if (names.length === 0) return new DynamicPartitionsSnapshot(new Map());
    // The versions first, then the keys: keys newer than the version they are kept with are
    // only read again once more.
    const versions = await this.db.query<{ name: string; version: string }>(
      `SELECT name, version::text FROM lignee.dynamic_partition_sets WHERE name = ANY($1::text[])`,
      [names],
    );
    const versionOf = new Map(versions.rows.map((r) => [r.name, Number(r.version)]));
    const sets = new Map<string, DynamicPartitionKeys>();
    const stale: string[] = [];
    for (const name of names) {
      const version = versionOf.get(name);
      const cached = this.cache.get(name);
      if (version === undefined) sets.set(name, DynamicPartitionKeys.EMPTY);
      else if (cached?.version === version) sets.set(name, cached.keys);
      else stale.push(name);
    }
    if (stale.length > 0) {
      const rows = await readKeys(this.db, stale);
      for (const name of stale) {
        const keys = new DynamicPartitionKeys(rows.get(name) ?? []);
        this.cache.set(name, { version: versionOf.get(name)!, keys });
        sets.set(name, keys);
      }
    }
    return new DynamicPartitionsSnapshot(sets);
  }
}

async function readKeys(
  db: Queryable,
  names: readonly string[],
): Promise<Map<string, DynamicPartitionKeyRow[]>> {
  const result = await db.query<{
    set_name: string;
    key: string;
    partition_index: number;
    removed: boolean;
  }>(
    `SELECT set_name, key, partition_index, removed_at IS NOT NULL AS removed
     FROM lignee.dynamic_partition_keys WHERE set_name = ANY($1::text[])`,
    [names],
  );
  const bySet = new Map<string, DynamicPartitionKeyRow[]>();
  for (const r of result.rows) {
    const list = bySet.get(r.set_name) ?? [];
    list.push({ key: r.key, index: r.partition_index, removed: r.removed });
    bySet.set(r.set_name, list);
  }
  return bySet;
}
