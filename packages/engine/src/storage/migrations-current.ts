import { readFileSync } from "node:fs";
import path from "node:path";
import type pg from "pg";

/**
 * The time of the newest committed migration (its `when` in drizzle's journal): drizzle applies
 * every migration whose time is after the newest one recorded in `lignee.migrations`.
 */
export function latestMigrationMillis(migrationsFolder: string): number {
  const journal = JSON.parse(
    readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8"),
  ) as { entries: readonly { when: number }[] };
  return Math.max(...journal.entries.map((e) => e.when));
}

/**
 * Whether the database has every migration up to `latestMillis` already, read from the
 * migrations table alone (two reads, no lock): what lets a CLI start skip migrating, the common
 * case, without reading every migration file and queueing behind the migration lock.
 */
export async function migrationsAreCurrent(
  client: pg.ClientBase,
  latestMillis: number,
): Promise<boolean> {
  const table = await client.query<{ present: boolean }>(
    "SELECT to_regclass('lignee.migrations') IS NOT NULL AS present",
  );
  if (!table.rows[0]?.present) return false;
  const applied = await client.query<{ latest: string | null }>(
    "SELECT max(created_at)::text AS latest FROM lignee.migrations",
  );
  const latest = applied.rows[0]?.latest;
  return latest !== null && latest !== undefined && Number(latest) >= latestMillis;
}
