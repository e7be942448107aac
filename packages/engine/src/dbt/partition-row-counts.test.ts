import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { partitionCountSql, partitionRowCounts } from "./partition-row-counts";

/** Row counts by partition against a real PostgreSQL server (embedded, or DATABASE_URL). */
let url: string;
let sql: pg.Client;

beforeAll(async () => {
  url = await createTestDatabase({ migrate: false });
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
  await sql.query(`
    CREATE SCHEMA m;
    -- 200 days of 50 rows, indexed by day, as a day-partitioned model is.
    CREATE TABLE m.daily AS
      SELECT (date '2024-01-01' + (i / 50)) AS jour, i AS id
      FROM generate_series(0, 9999) AS i;
    CREATE INDEX ON m.daily (jour);
    ANALYZE m.daily;
    CREATE TABLE m."By Country" ("Code" text, n integer);
    INSERT INTO m."By Country" VALUES ('fr', 1), ('fr', 2), ('de', 3), ('it', 4);
    CREATE TABLE m.numbered (k integer);
    INSERT INTO m.numbered SELECT g % 12 FROM generate_series(1, 120) AS g;
  `);
});

afterAll(async () => {
  await sql.end();
});

describe("partitionRowCounts", () => {
  it("counts each partition's own rows, 0 for a partition without any", async () => {
    const counts = await partitionRowCounts(url, { schema: "m", name: "daily" }, "jour", [
      "2024-01-03",
      "2024-01-01",
      "2024-01-02",
      "2025-06-01",
    ]);
    expect([...counts]).toEqual([
      ["2024-01-01", 50],
      ["2024-01-02", 50],
      ["2024-01-03", 50],
      ["2025-06-01", 0],
    ]);
  });

  it("reads keys as values of the column's type", async () => {
    const counts = await partitionRowCounts(url, { schema: "m", name: "numbered" }, "k", [
      "1",
      "10",
      "2",
    ]);
    expect(Object.fromEntries(counts)).toEqual({ "1": 10, "10": 10, "2": 10 });
  });

  it("quotes the table's and the column's names", async () => {
    const counts = await partitionRowCounts(url, { schema: "m", name: "By Country" }, "Code", [
      "fr",
      "de",
      "es",
    ]);
    expect(Object.fromEntries(counts)).toEqual({ de: 1, es: 0, fr: 2 });
  });

  it("fails naming the column when the table has no such column", async () => {
    await expect(
      partitionRowCounts(url, { schema: "m", name: "daily" }, "day", ["2024-01-01"]),
    ).rejects.toThrow(/"m"\."daily" has no column "day"/);
  });

  it("reads a day through the index on the partition column, not the whole table", async () => {
    // A daily run counts the day it built: the cost must be that day's, however long the
    // table's history (a comparison of the column cast to text reads every row).
    const { rows } = await sql.query<{ "QUERY PLAN": string }>(
      `EXPLAIN ${partitionCountSql(`"m"."daily"`, `"jour"`, "date")}`,
      [["2024-03-01"]],
    );
    const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toMatch(/Index|Bitmap/);
    expect(plan).not.toMatch(/Seq Scan/);
  });
});
