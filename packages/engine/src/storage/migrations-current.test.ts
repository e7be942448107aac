import { readdir } from "node:fs/promises";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { engineFile } from "../util/engine-files";
import { migrateDatabase } from "./migrate";
import { latestMigrationMillis, migrationsAreCurrent } from "./migrations-current";

const FOLDER = engineFile("src", "storage", "migrations");
const clients: pg.Client[] = [];

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end()));
});

describe("migrationsAreCurrent", () => {
  it("reads the newest migration's time from the journal", async () => {
    const sql = (await readdir(FOLDER)).filter((f) => f.endsWith(".sql"));
    expect(sql.length).toBeGreaterThan(0);
    expect(latestMigrationMillis(FOLDER)).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });

  it("is false on an empty database, true once migrated, false again for a newer migration", async () => {
    const url = await createTestDatabase({ migrate: false });
    const client = await connect(url);
    const latest = latestMigrationMillis(FOLDER);
    expect(await migrationsAreCurrent(client, latest)).toBe(false);
    await migrateDatabase(url);
    expect(await migrationsAreCurrent(client, latest)).toBe(true);
    expect(await migrationsAreCurrent(client, latest + 1)).toBe(false);
  });

  it("is false when the newest migration is not recorded", async () => {
    const client = await connect(await createTestDatabase());
    const latest = latestMigrationMillis(FOLDER);
    expect(await migrationsAreCurrent(client, latest)).toBe(true);
    // As if the newest migration had been committed after this database was migrated.
    await client.query(
      "DELETE FROM lignee.migrations WHERE created_at = (SELECT max(created_at) FROM lignee.migrations)",
    );
    expect(await migrationsAreCurrent(client, latest)).toBe(false);
  });
});
