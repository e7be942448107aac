import type pg from "pg";
import { InvalidPartitionError, quote } from "../../errors";
import {
  checkDynamicPartitionKeys,
  checkDynamicPartitionsChanges,
  type DynamicPartitionsChange,
} from "../../partitions/dynamic";
import { inTransaction } from "../transaction";

/** What adding keys did: the keys added (new or added again) and those already there. */
export interface AddedDynamicPartitions {
  readonly added: readonly string[];
  readonly existing: readonly string[];
}

/**
 * The one writer of `dynamic_partition_sets` and `dynamic_partition_keys`. Adds and removals of
 * one set are serialised by its row in `dynamic_partition_sets`, which hands out indices; each
 * change moves the set's version (what readers check before reading its keys again).
 */
export class DynamicPartitionKeysWriter {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Adds keys to set `name`, in the order given: a new key gets the set's next index, a key
   * removed earlier gets its own index back. Keys already in the set are an InvalidPartitionError
   * (nothing is added) unless `existing` is `"skip"`, as sensors and assets ask: adding what is
   * there is then a no-op. Bad keys (see `checkDynamicPartitionKeys`) add nothing.
   */
  async add(
    name: string,
    keys: readonly string[],
    options: { existing?: "error" | "skip" } = {},
  ): Promise<AddedDynamicPartitions> {
    checkDynamicPartitionKeys(name, keys);
    return inTransaction(this.pool, "dynamic partitions", (tx) =>
      addKeys(tx, name, keys, options.existing ?? "error"),
    );
  }

  /**
   * Removes keys from set `name`: their partitions no longer exist (status, planning and the UI
   * leave them out), their materialisations stay in the history. A key that is not in the set
   * is an InvalidPartitionError, and then nothing is removed.
   */
  async remove(name: string, keys: readonly string[]): Promise<readonly string[]> {
    checkDynamicPartitionKeys(name, keys);
    return inTransaction(this.pool, "dynamic partitions", (tx) =>
      removeKeys(tx, name, keys, "error"),
    );
  }

  /**
   * Applies changes in order, all in one transaction: all of them or none. Each is checked
   * first (user code hands them at run time). As a sensor asks, so that a change can be applied
   * again after a failed tick: adding a key already there and removing one that is not are
   * no-ops. Returns the keys each change added or removed.
   */
  async apply(
    changes: readonly DynamicPartitionsChange[],
  ): Promise<readonly (readonly string[])[]> {
    checkDynamicPartitionsChanges(changes);
    if (changes.length === 0) return [];
    return inTransaction(this.pool, "dynamic partitions", async (tx) => {
      const done: (readonly string[])[] = [];
      for (const c of changes) {
        done.push(
          c.kind === "add"
            ? (await addKeys(tx, c.name, c.keys, "skip")).added
            : await removeKeys(tx, c.name, c.keys, "skip"),
        );
      }
      return done;
    });
  }
}

async function addKeys(
  tx: pg.PoolClient,
  name: string,
  keys: readonly string[],
  ifExisting: "error" | "skip",
): Promise<AddedDynamicPartitions> {
  await tx.query(
    `INSERT INTO lignee.dynamic_partition_sets (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`,
    [name],
  );
  const set = await tx.query<{ next_index: number }>(
    `SELECT next_index FROM lignee.dynamic_partition_sets WHERE name = $1 FOR UPDATE`,
    [name],
  );
  const known = await tx.query<{ key: string; removed: boolean }>(
    `SELECT key, removed_at IS NOT NULL AS removed FROM lignee.dynamic_partition_keys
         WHERE set_name = $1 AND key = ANY($2::text[])`,
    [name, keys],
  );
  const removed = new Set(known.rows.filter((r) => r.removed).map((r) => r.key));
  const present = new Set(known.rows.filter((r) => !r.removed).map((r) => r.key));
  const existing = keys.filter((k) => present.has(k));
  if (existing.length > 0 && ifExisting !== "skip") {
    throw new InvalidPartitionError(
      `partitions ${quote(name)}: ${existing.length === 1 ? "key" : "keys"} ${existing
        .slice(0, 3)
        .map(quote)
        .join(", ")}${existing.length > 3 ? ` and ${existing.length - 3} more` : ""} already ${
        existing.length === 1 ? "exists" : "exist"
      }`,
    );
  }
  const fresh = keys.filter((k) => !present.has(k) && !removed.has(k));
  const next = set.rows[0]!.next_index;
  if (fresh.length > 0) {
    await tx.query(
      `INSERT INTO lignee.dynamic_partition_keys (set_name, key, partition_index)
           SELECT $1, k, $3 + (o - 1)::int FROM unnest($2::text[]) WITH ORDINALITY AS g(k, o)`,
      [name, fresh, next],
    );
  }
  if (removed.size > 0) {
    await tx.query(
      `UPDATE lignee.dynamic_partition_keys SET removed_at = NULL, added_at = now()
           WHERE set_name = $1 AND key = ANY($2::text[])`,
      [name, [...removed]],
    );
  }
  const added = keys.filter((k) => !present.has(k));
  if (added.length > 0) {
    await tx.query(
      `UPDATE lignee.dynamic_partition_sets SET next_index = $2, version = version + 1
           WHERE name = $1`,
      [name, next + fresh.length],
    );
  }
  return { added, existing };
}

async function removeKeys(
  tx: pg.PoolClient,
  name: string,
  keys: readonly string[],
  ifAbsent: "error" | "skip",
): Promise<readonly string[]> {
  // The set's row: a removal waits for an add of the same set, and the other way round.
  await tx.query(`SELECT 1 FROM lignee.dynamic_partition_sets WHERE name = $1 FOR UPDATE`, [name]);
  const result = await tx.query<{ key: string }>(
    `UPDATE lignee.dynamic_partition_keys SET removed_at = now()
         WHERE set_name = $1 AND key = ANY($2::text[]) AND removed_at IS NULL
         RETURNING key`,
    [name, keys],
  );
  const done = new Set(result.rows.map((r) => r.key));
  const absent = keys.filter((k) => !done.has(k));
  if (absent.length > 0 && ifAbsent === "error") {
    // Thrown inside the transaction: it rolls back, nothing is removed.
    throw new InvalidPartitionError(
      `partitions ${quote(name)}: ${absent.length === 1 ? "key" : "keys"} ${absent
        .slice(0, 3)
        .map(quote)
        .join(", ")}${absent.length > 3 ? ` and ${absent.length - 3} more` : ""} not in the set`,
    );
  }
  if (done.size > 0) {
    await tx.query(
      `UPDATE lignee.dynamic_partition_sets SET version = version + 1 WHERE name = $1`,
      [name],
    );
  }
  return keys.filter((k) => done.has(k));
}
