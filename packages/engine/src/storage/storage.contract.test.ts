import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { migrateDatabase } from "./migrate";
import { PostgresStorage } from "./postgres-storage";
import { storageContract } from "./storage-contract";

/** The storage contract for PostgresStorage, and its migrations, against a real server. */
storageContract("PostgresStorage", async () => {
  const databaseUrl = await createTestDatabase();
  return { storage: PostgresStorage.connect(databaseUrl), databaseUrl };
});

let url: string;
let sql: pg.Client;

beforeAll(async () => {
  url = await createTestDatabase();
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});

afterAll(async () => {
  await sql.end();
});

describe("migrations", () => {
  it("migrating twice changes nothing", async () => {
    const snapshot = async (): Promise<unknown> => {
      const tables = await sql.query(
        `SELECT table_name, column_name, data_type FROM information_schema.columns
         WHERE table_schema = 'lignee' ORDER BY table_name, column_name`,
      );
      const applied = await sql.query(`SELECT hash FROM lignee.migrations ORDER BY id`);
      return { tables: tables.rows, applied: applied.rows };
    };
    const before = await snapshot();
    await migrateDatabase(url);
    await migrateDatabase(url);
    expect(await snapshot()).toEqual(before);
    expect((before as { applied: unknown[] }).applied.length).toBeGreaterThan(0);
  });

  it("migrates concurrently without errors", async () => {
    const fresh = await createTestDatabase({ migrate: false });
    await Promise.all([migrateDatabase(fresh), migrateDatabase(fresh), migrateDatabase(fresh)]);
    const c = new pg.Client({ connectionString: fresh });
    await c.connect();
    const applied = await c.query(`SELECT count(*)::int AS n FROM lignee.migrations`);
    await c.end();
    const journal = await sql.query(`SELECT count(*)::int AS n FROM lignee.migrations`);
    expect(applied.rows[0].n).toBe(journal.rows[0].n);
  });
});
