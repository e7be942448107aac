import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { Warehouse } from "../warehouse/warehouse";
import { creationProfile } from "./creation-profile";
import { OFFRES_DDL } from "./table";

describe("creationProfile", () => {
  it("gives the seconds of the latest earlier day's creations, sorted; nothing without one", async () => {
    const warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
    try {
      expect(await creationProfile(warehouse.pool, "2024-08-05")).toEqual([]);
      await warehouse.ensure(OFFRES_DDL);
      expect(await creationProfile(warehouse.pool, "2024-08-05")).toEqual([]);
      // 2024-08-02 starts at 2024-08-01T22:00:00Z (Paris, summer time).
      await warehouse.pool.query(
        `INSERT INTO raw.offres (jour, id, data, date_creation) VALUES
           ('2024-08-01', 'A', '{}', '2024-08-01T10:00:00.000Z'),
           ('2024-08-02', 'B', '{}', '2024-08-02T08:00:05.000Z'),
           ('2024-08-02', 'C', '{}', '2024-08-01T22:00:10Z'),
           ('2024-08-02', 'D', '{}', 'not a date'),
           ('2024-08-02', 'F', '{}', '2024-02-30T10:00:00Z'),
           ('2024-08-02', 'G', '{}', '2024-08-04T12:00:00Z'),
           ('2024-08-05', 'E', '{}', '2024-08-05T09:00:00.000Z')`,
      );
      // The day itself is not its own profile; 2024-08-02 is the latest day before it. What is
      // not an instant of that day (unreadable, out of range, another day) is left out.
      expect(await creationProfile(warehouse.pool, "2024-08-05")).toEqual([10, 10 * 3600 + 5]);
      expect(await creationProfile(warehouse.pool, "2024-08-02")).toEqual([12 * 3600]);
      // More than two weeks back is too old to say anything of the day.
      expect(await creationProfile(warehouse.pool, "2024-08-30")).toEqual([]);
    } finally {
      await warehouse.close();
    }
  });
});

describe("creationProfile on a raw.offres of an older shape", () => {
  it("fails (the asset then cuts evenly) rather than guessing", async () => {
    const warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
    try {
      await warehouse.pool.query(`
        CREATE SCHEMA raw;
        CREATE TABLE raw.offres (jour date NOT NULL, id text NOT NULL, data jsonb NOT NULL,
          PRIMARY KEY (jour, id));`);
      await expect(creationProfile(warehouse.pool, "2024-08-05")).rejects.toThrow(/date_creation/);
    } finally {
      await warehouse.close();
    }
  });
});
