import { mkdir, mkdtemp, readdir, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compressRawFolder, gzipFileAtomically } from "@lignee/engine";
import { createTestDatabase } from "../../../../tests/support/database";
import { generateDay } from "../france-travail/simulator/generate-day";
import { OfferGenerator } from "../france-travail/simulator/offer-generator";
import { Warehouse } from "../warehouse/warehouse";
import { loadOffresDay } from "./loader";
import {
  filesToLoad,
  listOffresFiles,
  offresDayFile,
  rawFileVersion,
  type RawFilesCursor,
} from "./raw-files";

/**
 * A simulated day of offers compressed by the maintenance job: at least 5× smaller, loaded
 * with the same rows, and the same file for the raw-folder sensor (no new data).
 */
const DAY = "2024-08-01";
const OFFERS = 10_000;
const DAY_MS = 86_400_000;

let warehouse: Warehouse;
let dataDir: string;
let folder: string;

beforeAll(async () => {
  warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
  dataDir = await mkdtemp(path.join(tmpdir(), "lignee-gz-"));
  folder = path.join(dataDir, "raw", "offres");
  await mkdir(folder, { recursive: true });
});

afterAll(async () => {
  await warehouse.close();
});

/** The day's rows as the warehouse holds them: count and a digest of every offer. */
async function dayRows(day: string): Promise<{ rows: number; digest: string }> {
  const { rows } = await warehouse.pool.query<{ rows: string; digest: string }>(
    `SELECT count(*) AS rows, md5(string_agg(id || data::text, ',' ORDER BY id)) AS digest
       FROM raw.offres WHERE jour = $1`,
    [day],
  );
  return { rows: Number(rows[0]!.rows), digest: rows[0]!.digest };
}

const rule = {
  dir: "",
  pattern: "offres-*.ndjson",
  compressAfterDays: 7,
  label: "raw/offres",
};

describe("a compressed day of offers", () => {
  it("is at least 5× smaller, loads the same rows and is not new data for the sensor", async () => {
    const offers = generateDay(new OfferGenerator(1), { seed: 1, offersPerDay: () => OFFERS }, DAY);
    const file = path.join(folder, `offres-${DAY}.ndjson`);
    await writeFile(file, offers.map((o) => `${JSON.stringify(o.offer)}\n`).join(""));
    const eightDaysAgo = new Date(Date.now() - 8 * DAY_MS);
    await utimes(file, eightDaysAgo, eightDaysAgo);
    const loaded = await loadOffresDay(warehouse, file, DAY);
    expect(loaded.rows).toBe(OFFERS);
    const rowsBefore = await dayRows(DAY);
    const version = await rawFileVersion(file);
    const seen = filesToLoad(
      await listOffresFiles(dataDir),
      {},
      {
        loaded: () => ({ version, at: Date.now() }),
        collecting: () => false,
      },
    );
    expect(seen.load).toEqual([]);
    const cursor: RawFilesCursor = seen.cursor;

    const compressed = await compressRawFolder(
      { ...rule, dir: folder },
      { now: new Date(), dryRun: false },
    );
    expect(compressed.files).toBe(1);
    const ratio = compressed.bytesBefore / compressed.bytesAfter;
    console.log(
      `a day of ${OFFERS} simulated offers: ${compressed.bytesBefore} → ${compressed.bytesAfter} bytes (${ratio.toFixed(1)}×)`,
    );
    expect(ratio).toBeGreaterThanOrEqual(5);
    expect(await readdir(folder)).toEqual([`offres-${DAY}.ndjson.gz`]);

    // The sensor sees the same day, same version: nothing to load, the cursor unchanged.
    const files = await listOffresFiles(dataDir);
    expect(files).toMatchObject([{ day: DAY, compressed: true, size: compressed.bytesBefore }]);
    const after = filesToLoad(files, cursor, {
      loaded: () => ({ version, at: Date.now() }),
      collecting: () => false,
    });
    expect(after).toEqual({ load: [], cursor });
    expect(await rawFileVersion(`${file}.gz`)).toBe(version);

    // Loading the compressed day gives the same rows.
    const gz = await offresDayFile(dataDir, DAY);
    expect(gz).toBe(`${file}.gz`);
    await warehouse.pool.query("DELETE FROM raw.offres WHERE jour = $1", [DAY]);
    expect((await loadOffresDay(warehouse, gz, DAY)).rows).toBe(OFFERS);
    expect(await dayRows(DAY)).toEqual(rowsBefore);
  });

  it("when both files exist (a crash before the original was deleted, or a new collection), the plain file is the day", async () => {
    const day = "2024-08-02";
    const file = path.join(folder, `offres-${day}.ndjson`);
    await writeFile(file, '{"id":"A"}\n{"id":"B"}\n');
    await writeFile(path.join(folder, `offres-${day}.ndjson.gz.123-abcd.tmp`), "partial gzip");
    // The original stays readable whatever was left behind.
    const outcome = await gzipFileAtomically(file);
    expect(outcome).toMatchObject({ compressed: true });
    await writeFile(file, '{"id":"C"}\n');
    const files = (await listOffresFiles(dataDir)).filter((f) => f.day === day);
    expect(files).toMatchObject([{ file, compressed: false, size: 11 }]);
    expect(await offresDayFile(dataDir, day)).toBe(file);
    await loadOffresDay(warehouse, await offresDayFile(dataDir, day), day);
    expect((await dayRows(day)).rows).toBe(1);
  });

  it("a malformed line of a compressed file is reported with its line number", async () => {
    const day = "2024-08-03";
    const file = path.join(folder, `offres-${day}.ndjson`);
    await writeFile(file, '{"id":"A"}\nnot json\n');
    await gzipFileAtomically(file);
    await expect(loadOffresDay(warehouse, `${file}.gz`, day)).rejects.toThrow(
      `offres-${day}.ndjson.gz line 2`,
    );
    expect((await stat(`${file}.gz`)).size).toBeGreaterThan(0);
  });
});
