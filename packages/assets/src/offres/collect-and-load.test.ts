import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { FranceTravailClient } from "../france-travail/client";
import { collectDay, offresFilePath } from "../france-travail/collect-day";
import { FranceTravailError } from "../france-travail/errors";
import { type RunningSimulator, startSimulator } from "../france-travail/simulator/server";
import { Warehouse } from "../warehouse/warehouse";
import { collectAndLoadDay } from "./collect-and-load";
import { OffresLoadError } from "./errors";
import { loadOffresLines } from "./loader";

const DAY = "2024-08-05";
const STUCK = "2024-08-06";
const OFFERS: Record<string, number> = { [DAY]: 6000, [STUCK]: 3000 };

let sim: RunningSimulator;
let warehouse: Warehouse;
let dataDir: string;
let onSearch: (() => void) | undefined;
let searches = 0;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 3,
    offersPerDay: (day) => OFFERS[day] ?? 100,
    rateLimitPerSecond: 0,
    // 3,300 offers in one second with the same ROME code and département: the collection
    // fails (INCOMPLETE) once the rest of the day has been paged.
    hotspots: [{ day: STUCK, count: 3300, at: "23:00:00", romeCode: "D1106", departement: "13" }],
    onSearch: () => {
      searches++;
      onSearch?.();
    },
  });
  warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
});

afterAll(async () => {
  await warehouse?.close();
  await sim?.close();
});

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "lignee-collect-load-"));
  onSearch = undefined;
  searches = 0;
});

const client = (): FranceTravailClient => new FranceTravailClient({ config: sim.clientConfig() });

const idsOf = async (day: string): Promise<string[]> =>
  (
    await warehouse.pool.query<{ id: string }>(
      "SELECT id FROM raw.offres WHERE jour = $1 ORDER BY id",
      [day],
    )
  ).rows.map((r) => r.id);

/** The day's rows before the run under test: three offers that are not the API's. */
async function previousRows(day: string): Promise<string[]> {
  const old = ["OLD1", "OLD2", "OLD3"];
  async function* lines(): AsyncGenerator<{ number: number; text: string }> {
    for (const [i, id] of old.entries()) yield { number: i + 1, text: JSON.stringify({ id }) };
  }
  await loadOffresLines(warehouse, lines(), day, { source: "previous" });
  return old;
}

async function filesIn(dir: string): Promise<string[]> {
  return readdir(path.join(dir, "raw", "offres")).catch(() => []);
}

describe("collectAndLoadDay", () => {
  it("loads the day while collecting it: the rows and the file are the day's unique offers", async () => {
    await previousRows(DAY);
    const { collected, loaded } = await collectAndLoadDay(DAY, {
      dataDir,
      client: client(),
      warehouse,
    });
    const truth = sim.offerIds(DAY);
    expect(collected.offers).toBe(truth.length);
    expect(loaded.rows).toBe(truth.length);
    expect(await idsOf(DAY)).toEqual([...truth].sort());
    // The same file as a collection alone writes: sorted, the API's JSON unchanged.
    const streamed = await readFile(collected.file, "utf8");
    expect(streamed).toBe(`${sim.offerJson(DAY).join("\n")}\n`);
    const alone = await mkdtemp(path.join(tmpdir(), "lignee-collect-alone-"));
    const stats = await collectDay(DAY, { dataDir: alone, client: client() });
    expect(await readFile(stats.file, "utf8")).toBe(streamed);
    // The spool is gone: only the day's file is left.
    expect(await filesIn(dataDir)).toEqual([`offres-${DAY}.ndjson`]);
    await rm(alone, { recursive: true, force: true });
    // Each offer's JSON is stored whole.
    const { rows } = await warehouse.pool.query<{ same: boolean }>(
      "SELECT bool_and(data::jsonb ? 'intitule' AND data::jsonb->>'id' = id) AS same FROM raw.offres WHERE jour = $1",
      [DAY],
    );
    expect(rows[0]!.same).toBe(true);
  });

  it("a day whose file cannot be written once every offer is in is rolled back: previous rows kept", async () => {
    const old = await previousRows(DAY);
    // A folder where the day's file goes: the sorted file cannot replace it.
    const file = offresFilePath(dataDir, DAY);
    await mkdir(file, { recursive: true });
    const error = await collectAndLoadDay(DAY, {
      dataDir,
      client: client(),
      warehouse,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/offres-2024-08-05\.ndjson/);
    expect(await idsOf(DAY)).toEqual(old);
  });

  it("an API failure after offers were loaded rolls the day back: previous rows kept, no file", async () => {
    const old = await previousRows(STUCK);
    const file = offresFilePath(dataDir, STUCK);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, "the previous collection\n");
    // The rest of the day is paged (and its offers sent to the COPY) before the failure.
    let searchesBeforeFailure = 0;
    onSearch = () => void (searchesBeforeFailure = searches);
    const error = await collectAndLoadDay(STUCK, {
      dataDir,
      client: client(),
      warehouse,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FranceTravailError);
    expect(error).toMatchObject({ code: "INCOMPLETE" });
    expect(searchesBeforeFailure).toBeGreaterThan(20);
    expect(await idsOf(STUCK)).toEqual(old);
    expect(await readFile(file, "utf8")).toBe("the previous collection\n");
    expect(await filesIn(dataDir)).toEqual([`offres-${STUCK}.ndjson`]);
  });

  it("a cancellation mid-collection rolls the day back and writes no file", async () => {
    const old = await previousRows(DAY);
    const controller = new AbortController();
    onSearch = () => {
      if (searches === 15) controller.abort(new Error("cancelled"));
    };
    const error = await collectAndLoadDay(DAY, {
      dataDir,
      client: client(),
      warehouse,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/cancelled/);
    expect(searches).toBeLessThan(40);
    expect(await idsOf(DAY)).toEqual(old);
    expect(await filesIn(dataDir)).toEqual([]);
  });

  it("a row PostgreSQL refuses stops the collection at once: previous rows kept, no file", async () => {
    const old = await previousRows(DAY);
    // Every new row of the day breaks a constraint: the first rows sent fail the COPY.
    await warehouse.pool.query(
      `ALTER TABLE raw.offres ADD CONSTRAINT test_refused CHECK (jour <> '${DAY}' OR id LIKE 'OLD%') NOT VALID`,
    );
    try {
      const error = await collectAndLoadDay(DAY, {
        dataDir,
        client: client(),
        warehouse,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OffresLoadError);
      expect((error as Error).message).toMatch(/test_refused/);
      // Stopped before paging the whole day (40 pages and a few probes): how many searches were
      // already on their way when the load failed depends on the machine's load (up to 34 seen
      // while Spark jobs ran beside), not on the collector.
      expect(searches).toBeLessThan(40);
      expect(await idsOf(DAY)).toEqual(old);
      expect(await filesIn(dataDir)).toEqual([]);
    } finally {
      await warehouse.pool.query("ALTER TABLE raw.offres DROP CONSTRAINT test_refused");
    }
  });
});
