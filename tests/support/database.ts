import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { migrateDatabase } from "@lignee/engine";

/**
 * Creates a fresh, empty database on the test PostgreSQL server and returns its URL. With
 * `migrate: true` (the default) the engine's migrations are applied.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<string> {
  const admin = inject("pgAdminUrl");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  if (options.migrate ?? true) await migrateDatabase(url.toString());
  return url.toString();
}
