import pg from "pg";
import { shippedFile } from "../util/engine-files";
import { latestMigrationMillis, migrationsAreCurrent } from "./migrations-current";

/** The committed migrations (their copy in dist when the engine runs built). */
const MIGRATIONS_FOLDER = shippedFile("src/storage/migrations", "migrations");
/** Arbitrary constant: serialises concurrent migrations from several processes. */
const MIGRATION_LOCK = 7_342_019;

/**
 * Applies the committed, forward-only migrations. Safe to call from several processes at once
 * and on every start: an up-to-date database is left untouched (checked first, without the
 * lock).
 */
export async function migrateDatabase(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    if (await migrationsAreCurrent(client, latestMigrationMillis(MIGRATIONS_FOLDER))) return;
    await client.query("SET client_min_messages = warning");
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      // Loaded only when there is something to migrate: most starts have nothing to.
      const [{ drizzle }, { migrate }] = await Promise.all([
        import("drizzle-orm/node-postgres"),
        import("drizzle-orm/node-postgres/migrator"),
      ]);
      await migrate(drizzle({ client }), {
        migrationsFolder: MIGRATIONS_FOLDER,
        migrationsSchema: "lignee",
        migrationsTable: "migrations",
      });
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } finally {
    await client.end();
  }
}
