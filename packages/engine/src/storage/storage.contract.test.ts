import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
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

  it("0004 records what launched the runs recorded before it, where their tags tell", async () => {
    const folder = fileURLToPath(new URL("./migrations", import.meta.url));
    const files = (await readdir(folder)).filter((f) => f.endsWith(".sql")).sort();
    const apply = async (c: pg.Client, file: string): Promise<void> => {
      const text = await readFile(`${folder}/${file}`, "utf8");
      for (const statement of text.split("--> statement-breakpoint")) await c.query(statement);
    };
    const c = new pg.Client({ connectionString: await createTestDatabase({ migrate: false }) });
    await c.connect();
    try {
      const upgrade = files.indexOf("0004_runs_launched_by.sql");
      for (const file of files.slice(0, upgrade)) await apply(c, file);
      const runs: [string, Record<string, string>, string | null][] = [
        ["by-hand", {}, null],
        ["scheduled", { trigger: "schedule", schedule: "daily" }, null],
        ["sensed", { trigger: "sensor", sensor: "files" }, null],
        ["eager", { trigger: "eager" }, null],
        ["chunk", { "lignee/backfill": "bf-1" }, "bf-1"],
        // A re-executed scheduled run carries the schedule's tags too.
        ["again", { trigger: "schedule", schedule: "daily", reexecutionOf: "scheduled" }, null],
      ];
      for (const [id, tags, backfillId] of runs) {
        await c.query(
          `INSERT INTO lignee.runs (id, status, selection, asset_keys, tags, backfill_id)
           VALUES ($1, 'SUCCESS', 'a', '["a"]', $2::jsonb, $3)`,
          [id, JSON.stringify(tags), backfillId],
        );
      }
      await apply(c, files[upgrade]!);
      const rows = await c.query<{ id: string; launched_by: string; launched_by_detail: string }>(
        `SELECT id, launched_by, launched_by_detail FROM lignee.runs ORDER BY id`,
      );
      expect(rows.rows.map((r) => [r.id, r.launched_by, r.launched_by_detail])).toEqual([
        ["again", "reexecution", "scheduled"],
        ["by-hand", null, null],
        ["chunk", "backfill", "bf-1"],
        ["eager", "eager", null],
        ["scheduled", "schedule", "daily"],
        ["sensed", "sensor", "files"],
      ]);
    } finally {
      await c.end();
    }
  });
});
