import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compressRawFolder,
  FileRawStore,
  gzipObject,
  rawFolderUsage,
  type RawStore,
} from "@lignee/engine";
import { createTestDatabase } from "../../../../tests/support/database";
import { startS3Proxy, type S3Proxy } from "../../../../tests/support/s3proxy";
import { generateDay } from "../france-travail/simulator/generate-day";
import { OfferGenerator } from "../france-travail/simulator/offer-generator";
import { Warehouse } from "../warehouse/warehouse";
import { loadOffresObject } from "./loader";
import {
  filesToLoad,
  listOffresFiles,
  OFFRES_PREFIX,
  offresKey,
  rawObjectVersion,
  type RawOffresFile,
} from "./raw-files";

/**
 * The maintenance job compressing the days of a raw store's folder (its objects, not files of
 * this machine), against a folder and a real S3 server: the same rows, and the same version for
 * the raw-folder sensor, before and after.
 */
const DAY = "2024-08-01";
const OFFERS = 2_000;
const DAY_MS = 86_400_000;

let warehouse: Warehouse;
let proxy: S3Proxy;

beforeAll(async () => {
  warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
  proxy = await startS3Proxy("maintenance");
});

afterAll(async () => {
  await warehouse.close();
  await proxy.stop();
});

/** Per store, a way to open it again on the same location (the job closes what it opens). */
const stores: [string, () => Promise<() => RawStore>][] = [
  [
    "a folder",
    async () => {
      const root = await mkdtemp(path.join(tmpdir(), "lignee-gz-store-"));
      return () => new FileRawStore(root);
    },
  ],
  [
    "an S3 bucket",
    async () => {
      const url = `s3://maintenance/${Math.random().toString(36).slice(2)}`;
      return () => proxy.store(url);
    },
  ],
];

async function dayRows(day: string): Promise<{ rows: number; digest: string }> {
  const { rows } = await warehouse.pool.query<{ rows: string; digest: string }>(
    `SELECT count(*) AS rows, md5(string_agg(id || data::text, ',' ORDER BY id)) AS digest
       FROM raw.offres WHERE jour = $1`,
    [day],
  );
  return { rows: Number(rows[0]!.rows), digest: rows[0]!.digest };
}

describe.each(stores)("the days of offers in %s, compressed by the maintenance job", (_, make) => {
  it("become one .gz each, load the same rows and keep their version for the sensor", async () => {
    const open = await make();
    const store = open();
    try {
      const offers = generateDay(
        new OfferGenerator(2),
        { seed: 2, offersPerDay: () => OFFERS },
        DAY,
      );
      const body = Buffer.from(offers.map((o) => `${JSON.stringify(o.offer)}\n`).join(""));
      // Written now, as a collection writes it (S3 keeps its own time: it cannot be set back);
      // the job runs eight days later.
      await store.write(offresKey(DAY), body);
      const eightDaysLater = new Date(Date.now() + 8 * DAY_MS);
      await loadOffresObject(warehouse, store, offresKey(DAY), DAY);
      const before = await dayRows(DAY);
      expect(before.rows).toBe(OFFERS);
      const listed = await listOffresFiles(store);
      const version = listed.find((f) => f.day === DAY)!.version!;
      const cursor = filesToLoad(
        listed,
        {},
        { loaded: () => undefined, collecting: () => false },
      ).cursor;

      const rule = {
        dir: "",
        store: open,
        prefix: OFFRES_PREFIX,
        pattern: "offres-*.ndjson",
        compressAfterDays: 7,
        label: "raw/offres",
      };
      const dry = await compressRawFolder(rule, { now: eightDaysLater, dryRun: true });
      expect(dry).toMatchObject({ files: 1, bytesBefore: body.length, bytesAfter: 0 });
      const done = await compressRawFolder(rule, { now: eightDaysLater, dryRun: false });
      expect(done).toMatchObject({ files: 1, bytesBefore: body.length, skipped: [] });
      expect(done.bytesAfter).toBeLessThan(body.length / 4);

      const keys: string[] = [];
      for await (const o of store.list(OFFRES_PREFIX)) keys.push(o.key);
      expect(keys).toEqual([`${offresKey(DAY)}.gz`]);
      expect(await rawFolderUsage(rule)).toMatchObject({
        files: 0,
        compressedFiles: 1,
        compressedBytes: done.bytesAfter,
      });

      // The sensor sees the same day, same version: nothing to load.
      const after = await listOffresFiles(store);
      expect(after.find((f) => f.day === DAY)).toMatchObject({
        compressed: true,
        size: body.length,
        version,
      });
      expect(
        filesToLoad(after, cursor, { loaded: () => undefined, collecting: () => false }).load,
      ).toEqual([]);
      const gz = (await store.stat(`${offresKey(DAY)}.gz`))!;
      expect(await rawObjectVersion(store, gz)).toBe(version);

      // A sensor's later listings find the compressed day's version without asking again.
      const compressedDays = new Map<string, RawOffresFile>();
      let asked = 0;
      const counting: RawStore = {
        url: store.url,
        describe: (k) => store.describe(k),
        list: (prefix, options) => store.list(prefix, options),
        stat: (k, options) => (asked++, store.stat(k, options)),
        read: (k, options) => (asked++, store.read(k, options)),
        write: (k, body, options) => store.write(k, body, options),
        delete: (k, options) => store.delete(k, options),
        close: () => store.close(),
      };
      const first = await listOffresFiles(counting, { compressed: compressedDays });
      expect(asked).toBe(2);
      const second = await listOffresFiles(counting, { compressed: compressedDays });
      expect(asked).toBe(2);
      expect(second).toEqual(first);

      // Loading the compressed day gives the same rows.
      await warehouse.pool.query("DELETE FROM raw.offres WHERE jour = $1", [DAY]);
      await loadOffresObject(warehouse, store, gz.key, DAY);
      expect(await dayRows(DAY)).toEqual(before);
    } finally {
      await store.close();
    }
  });
  it("keep a day written again while it was compressed: the new file stays, no .gz", async () => {
    const open = await make();
    const store = open();
    try {
      const key = offresKey("2024-08-05");
      await store.write(key, Buffer.from('{"id":"OLD"}\n'.repeat(100)));
      const again = Buffer.from('{"id":"NEW"}\n');
      // The collection's write lands just before the original is deleted, once everything
      // was checked: the moment a check-then-delete would lose it.
      let raced = false;
      const racing: RawStore = {
        url: store.url,
        describe: (k) => store.describe(k),
        list: (prefix, options) => store.list(prefix, options),
        stat: (k, options) => store.stat(k, options),
        read: (k, options) => store.read(k, options),
        write: (k, body, options) => store.write(k, body, options),
        close: () => store.close(),
        delete: async (k, options) => {
          if (k === key && !raced) {
            raced = true;
            await store.write(key, again);
          }
          return store.delete(k, options);
        },
      };
      expect(await gzipObject(racing, key)).toEqual({
        compressed: false,
        reason: "changed while being compressed",
      });
      const keys: string[] = [];
      for await (const o of store.list(OFFRES_PREFIX)) keys.push(o.key);
      expect(keys).toEqual([key]);
      const chunks: Buffer[] = [];
      for await (const c of store.read(key)) chunks.push(Buffer.from(c));
      expect(Buffer.concat(chunks).toString()).toBe('{"id":"NEW"}\n');
    } finally {
      await store.close();
    }
  });
});
