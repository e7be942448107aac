import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  FileRawStore,
  connectionEnv,
  parseDateKey,
  partitionTimeWindow,
  runDbt,
  type CheckContext,
  type CheckDefinition,
  type DailyPartitionsDefinition,
} from "@lignee/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { FranceTravailClient } from "../france-travail/client";
import { collectDay } from "../france-travail/collect-day";
import { parisDayWindow } from "../france-travail/paris-time";
import { badDay } from "../france-travail/simulator/options";
import { type RunningSimulator, startSimulator } from "../france-travail/simulator/server";
import { loadOffresDay, type OffresLoadStats } from "../offres/loader";
import { OFFRES_PARTITIONS } from "../offres/partitions";
import { loadCog } from "../reference/cog";
import { loadRome, readShippedRome } from "../reference/rome";
import type { JobOfferResources } from "../resources";
import { Warehouse } from "../warehouse/warehouse";
import { assets } from "../definitions";
import { FAIT_OFFRE_ASSET, jobOfferChecks, OFFRES_ASSET } from "./checks";
import { INSTANT_SHAPE, instantMillis } from "./creation-instant";
import { CASTABLE_SQL, INSTANT_SHAPE_SQL } from "./date-creation-in-day";
import { judgeVolume, median } from "./volume-vs-weekday-median";

/**
 * The quality suite on a real warehouse: simulated days collected and loaded as the asset
 * does, the reference data and the dbt models built by real dbt; then each check evaluated on
 * good days and on the bad day the simulator's fault produces.
 */
const REPO_ROOT = path.resolve(fileURLToPath(new URL("../../../..", import.meta.url)));
// Thursdays, the Wednesday before the bad Thursday, and the bad Thursday itself.
const THURSDAYS = ["2024-07-11", "2024-07-18", "2024-07-25"];
const GOOD = "2024-07-31";
const BAD = "2024-08-01";
const NEXT = "2024-08-08";
const PER_DAY = 400;

let warehouse: Warehouse;
let sim: RunningSimulator;
let resources: JobOfferResources;
let dataDir: string;
const checks = new Map(jobOfferChecks().map((c) => [`${c.asset}:${c.name}`, c]));
/** Each day's load, with the `date_creation_in_day` it evaluated while writing. */
const loads = new Map<string, OffresLoadStats>();

function contextFor(
  check: CheckDefinition<JobOfferResources>,
  day: string,
): CheckContext<JobOfferResources> {
  const noop = (): void => undefined;
  return {
    assetKey: check.asset,
    checkName: check.name,
    runId: "quality-test",
    partitionKey: day,
    partitionTimeWindow: partitionTimeWindow(
      OFFRES_PARTITIONS as DailyPartitionsDefinition,
      parseDateKey(day)!,
    ),
    log: { debug: noop, info: noop, warn: noop, error: noop },
    signal: new AbortController().signal,
    resources,
  };
}

const evaluate = (asset: string, name: string, day: string) => {
  const check = checks.get(`${asset}:${name}`)!;
  return check.evaluate(contextFor(check, day));
};

async function dbt(args: string[]): Promise<void> {
  const target = await mkdtemp(path.join(tmpdir(), "lignee-quality-dbt-"));
  try {
    const r = await runDbt([...args, "--target-path", target], {
      executable: path.join(REPO_ROOT, ".lignee", "venv", "bin", "dbt"),
      projectDir: path.join(REPO_ROOT, "dbt"),
      profilesDir: path.join(REPO_ROOT, "dbt"),
      env: connectionEnv(warehouse.databaseUrl),
    });
    expect(r.exitCode, r.errors.join("\n")).toBe(0);
  } finally {
    await rm(target, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
  dataDir = await mkdtemp(path.join(tmpdir(), "lignee-quality-"));
  sim = await startSimulator({
    seed: 3,
    offersPerDay: () => PER_DAY,
    rateLimitPerSecond: 0,
    faults: { badDays: [badDay(BAD, { duplicateRatio: 0.05, outsideDayRatio: 0.05 })] },
  });
  const config = sim.clientConfig();
  const client = new FranceTravailClient({ config });
  resources = {
    warehouse,
    dataDir,
    rawStore: new FileRawStore(dataDir),
    franceTravail: client,
    franceTravailConfig: config,
    simulator: sim,
    close: async () => undefined,
  };
  for (const day of [...THURSDAYS, GOOD, BAD, NEXT]) {
    const collected = await collectDay(day, { dataDir, client });
    loads.set(day, await loadOffresDay(warehouse, collected.file, day));
  }
  await loadRome(warehouse, readShippedRome());
  await loadCog(warehouse);
  // Every day at once (one row per id, on its latest day), then the day before the bad day
  // again, as a backfill would: the ids it shares with the bad day go back to it.
  await dbt(["run", "--select", "+dim_lieu", "dim_rome", "fait_offre_emploi"]);
  await dbt([
    "run",
    "--select",
    "fait_offre_emploi",
    "--vars",
    JSON.stringify({ jour_debut: GOOD, jour_fin: GOOD }),
  ]);
}, 240_000);

afterAll(async () => {
  await warehouse?.close();
  await sim?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Ground truth from the simulator: what is wrong with a day's offers. */
function faultsOf(day: string): { borrowed: number; outside: number } {
  const before = new Set(sim.offerIds(GOOD));
  const { start, end } = parisDayWindow(day);
  const offers = sim.offers(day);
  return {
    borrowed: offers.filter((o) => day !== GOOD && before.has(o.id)).length,
    outside: offers.filter((o) => {
      const t = Date.parse(o.dateCreation);
      return t < start.getTime() || t >= end.getTime();
    }).length,
  };
}

describe("raw/offres checks", () => {
  it("unique_ids passes on good days and fails on the bad day, naming the ids found on another day", async () => {
    const good = await evaluate(OFFRES_ASSET, "unique_ids", NEXT);
    expect(good).toMatchObject({ passed: true, metadata: { offers: PER_DAY, duplicates: 0 } });
    expect(good.description).toBe(`${PER_DAY} offers, every id unique`);

    const { borrowed } = faultsOf(BAD);
    expect(borrowed).toBeGreaterThan(0);
    const bad = await evaluate(OFFRES_ASSET, "unique_ids", BAD);
    expect(bad.passed).toBe(false);
    expect(bad.metadata).toMatchObject({
      offers: 120,
      duplicates: borrowed,
      repeated_in_day: 0,
      on_other_days: borrowed,
    });
    expect(bad.description).toMatch(
      new RegExp(
        `^${borrowed} duplicate ids among 120 offers: 0 repeated within the day, ${borrowed} also on another day \\(e\\.g\\. \\w+`,
      ),
    );
    // The day whose ids were borrowed holds them too: it fails as well.
    expect((await evaluate(OFFRES_ASSET, "unique_ids", GOOD)).metadata).toMatchObject({
      on_other_days: borrowed,
    });
  });

  it("date_creation_in_day passes on good days and fails on the bad day with the offending range", async () => {
    const good = await evaluate(OFFRES_ASSET, "date_creation_in_day", GOOD);
    expect(good).toMatchObject({ passed: true, metadata: { offers: PER_DAY, outside: 0 } });
    expect(good.description).toBe(
      `${PER_DAY} offers, every dateCreation inside ${GOOD} (Europe/Paris)`,
    );

    const { outside } = faultsOf(BAD);
    expect(outside).toBeGreaterThan(0);
    const bad = await evaluate(OFFRES_ASSET, "date_creation_in_day", BAD);
    expect(bad.passed).toBe(false);
    expect(bad.metadata).toMatchObject({
      offers: 120,
      outside,
      unreadable: 0,
      window_start: "2024-07-31T22:00:00.000Z",
      window_end: "2024-08-01T22:00:00.000Z",
    });
    expect(String(bad.metadata?.earliest) < "2024-07-31T22:00:00.000Z").toBe(true);
    expect(bad.description).toMatch(
      new RegExp(
        `^${outside} of 120 offers created outside ${BAD} \\(Europe/Paris\\): earliest 2024-07-3`,
      ),
    );
  });

  it("date_creation_in_day evaluated by the load is what the check finds reading the day back", async () => {
    for (const day of [GOOD, BAD, NEXT])
      expect(loads.get(day)!.creation).toEqual(
        await evaluate(OFFRES_ASSET, "date_creation_in_day", day),
      );
    expect(loads.get(BAD)!.creation.passed).toBe(false);
  });

  it("date_creation_in_day from the load and from the table agree on missing, unreadable and odd instants", async () => {
    const day = "2024-06-02";
    const created: (string | null)[] = [
      "2024-06-02T08:00:00.000Z",
      "2024-06-02T10:00:00+02:00",
      "pas une date",
      null,
      "２０２４-06-02T08:00:00Z",
      "2024-13-02T08:00:00Z",
      "2024-06-31T08:00:00Z",
      "2024-06-02T25:00:00Z",
      "2024-06-02T08:00:00+16:00",
      // At the day's edges (Paris: 22:00 UTC the day before, to 22:00 UTC), to the microsecond.
      "2024-06-01T22:00:00Z",
      "2024-06-01T21:59:59.9999999Z",
      "2024-06-02T21:59:59.9999995Z",
      "2024-06-02T21:59:59.9999994Z",
      "2024-06-01T21:59:60Z",
      "2024-06-01T24:00:00+02:00",
      "2024-06-02T23:59:59+0200",
      "2024-06-02T22:00:00Z",
      "2024-06-01T21:59:59.999999Z",
    ];
    const folder = await mkdtemp(path.join(tmpdir(), "lignee-creation-"));
    const file = path.join(folder, `offres-${day}.ndjson`);
    await writeFile(
      file,
      created
        .map((c, i) => JSON.stringify({ id: `C${String(i).padStart(2, "0")}`, dateCreation: c }))
        .join("\n"),
    );
    try {
      const loaded = await loadOffresDay(warehouse, file, day);
      const read = await evaluate(OFFRES_ASSET, "date_creation_in_day", day);
      expect(loaded.creation).toEqual(read);
      expect(read.metadata).toMatchObject({ offers: 18, outside: 10, unreadable: 7 });
    } finally {
      await warehouse.pool.query("DELETE FROM raw.offres WHERE jour = $1", [day]);
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("date_creation_in_day counts a missing or unreadable dateCreation as outside, without failing on it", async () => {
    const day = "2024-06-01";
    const rows: [string, string | null][] = [
      ["U1", "2024-06-01T08:00:00.000Z"],
      ["U2", "2024-06-01T10:00:00+02:00"],
      ["U3", "pas une date"],
      ["U4", null],
      // Digits that are not ASCII: not an instant the cast reads.
      ["U5", "２０２４-06-01T08:00:00Z"],
      // Of the right shape, but no instant: the cast would fail on each of them.
      ["U6", "2024-13-01T08:00:00Z"],
      ["U7", "2024-06-31T08:00:00Z"],
      ["U8", "2023-02-29T08:00:00Z"],
      ["U9", "2024-06-01T25:00:00Z"],
      ["UA", "2024-06-01T08:61:00Z"],
      ["UB", "2024-06-01T08:00:00+16:00"],
      ["UC", "0000-06-01T08:00:00Z"],
      // A leap day and an offset without a colon are instants (outside this day, but read).
      ["UD", "2024-02-29T08:00:00Z"],
      ["UE", "2024-06-01T10:00:00+0200"],
    ];
    try {
      for (const [id, created] of rows) {
        await warehouse.pool.query(
          "INSERT INTO raw.offres (jour, id, data, date_creation) VALUES ($1, $2, '{}', $3)",
          [day, id, created],
        );
      }
      const result = await evaluate(OFFRES_ASSET, "date_creation_in_day", day);
      expect(result).toMatchObject({
        passed: false,
        metadata: { offers: 14, outside: 11, unreadable: 10, sample_ids: "U3, U4, U5, U6, U7" },
      });
    } finally {
      await warehouse.pool.query("DELETE FROM raw.offres WHERE jour = $1", [day]);
    }
  });

  it("date_creation_in_day's shape test accepts exactly what the regular expression of an instant does", async () => {
    const seeds = [
      "2024-06-01T08:00:00Z",
      "2024-06-01T08:00:00.000Z",
      "2024-06-01T08:00:00.5Z",
      "2024-06-01T10:00:00+02:00",
      "2024-06-01T10:00:00-0230",
      "2024-06-01T10:00:00+0200",
      "2024-06-01T10:00:00.123456+02:00",
      "2024-06-01T10:00:00.1-0200",
    ];
    // Each seed, then every string one edit away: each character replaced by, or preceded by,
    // one of these, removed, or swapped with the next; the seeds truncated.
    const others = ["0", "9", "-", ":", "T", "Z", ".", "+", "x", " ", "\n", "２", "é", "_", "%"];
    const values = new Set<string>([
      "",
      "Z",
      "2024-06-01",
      "2024-06-01 08:00:00Z",
      "pas une date",
      `2024-06-01T08:00:00.${"1".repeat(5000)}+02:00`,
    ]);
    for (const seed of seeds) {
      values.add(seed);
      for (let i = 0; i <= seed.length; i++) {
        values.add(seed.slice(0, i));
        values.add(seed.slice(0, i) + seed.slice(i + 1));
        values.add(
          seed.slice(0, i) + seed.slice(i + 1, i + 2) + seed.slice(i, i + 1) + seed.slice(i + 2),
        );
        for (const c of others) {
          values.add(seed.slice(0, i) + c + seed.slice(i + 1));
          values.add(seed.slice(0, i) + c + seed.slice(i));
        }
      }
    }
    const all = [...values];
    // Against the expression in JavaScript and in PostgreSQL (as the check matched it before).
    const { rows } = await warehouse.pool.query<{
      dc: string | null;
      shaped: boolean | null;
      matched: boolean | null;
    }>(
      `SELECT dc, ${INSTANT_SHAPE_SQL} AS shaped, dc ~ $2 AS matched
       FROM unnest($1::text[]) WITH ORDINALITY AS u(v, n),
            LATERAL (SELECT v COLLATE "C" AS dc) AS o
       ORDER BY n`,
      [[...all, null], INSTANT_SHAPE.source],
    );
    expect(rows).toHaveLength(all.length + 1);
    // NULL is no instant for either: neither is true, which is what a CASE WHEN asks.
    expect(rows.at(-1)).toMatchObject({ dc: null, matched: null });
    expect(rows.at(-1)!.shaped).not.toBe(true);
    const wrong = rows
      .slice(0, -1)
      .filter((r) => r.shaped !== INSTANT_SHAPE.test(r.dc!) || r.shaped !== r.matched)
      .map((r) => r.dc);
    expect(wrong).toEqual([]);
    // Both kinds are there in numbers: the comparison is not of one answer only.
    const shaped = rows.filter((r) => r.shaped).length;
    expect(shaped).toBeGreaterThan(100);
    expect(all.length - shaped).toBeGreaterThan(2000);
  });

  it("the load, and the check's guarded reading, take an instant as PostgreSQL's cast does", async () => {
    const seeds = [
      "2024-06-01T08:00:00Z",
      "2024-02-29T23:59:59.5+15:59",
      "1900-02-28T00:00:00.0000005-15:59",
      "2000-02-29T24:00:00Z",
      "0001-01-01T00:00:00.9999995Z",
      "0099-12-31T23:59:60.25+0130",
      "2024-06-01T10:00:00.123456789-02:00",
      "2024-12-31T23:59:59.9999999Z",
      "2024-06-30T23:59:60.0000004Z",
      "2024-06-30T23:59:60.9999999+00:00",
      "2024-06-30T24:00:00.0000001Z",
      "1688-03-01T00:00:00.0009995Z",
      "2024-07-01T12:34:56.123456Z",
      "1600-02-29T12:34:56.000+02:00",
    ];
    // Each seed, then every digit replaced by each digit, one at a time: most of them no
    // instant at all (month 19, hour 48, 30 February, an offset of 45 hours).
    const values = new Set<string>(seeds);
    for (const seed of seeds)
      for (let i = 0; i < seed.length; i++)
        if (/\d/.test(seed[i]!))
          for (let d = 0; d <= 9; d++) values.add(seed.slice(0, i) + d + seed.slice(i + 1));
    const all = [...values];
    const client = await warehouse.pool.connect();
    try {
      // Whole milliseconds, rounded down, as node-postgres reads an instant into a Date.
      await client.query(`CREATE OR REPLACE FUNCTION pg_temp.millis(v text) RETURNS numeric
        LANGUAGE plpgsql AS $$
        BEGIN RETURN floor(extract(epoch FROM v::timestamptz) * 1000);
        EXCEPTION WHEN data_exception THEN RETURN NULL; END $$`);
      // And the check's guarded reading (on a day where some value is no instant) takes what
      // the cast takes.
      const { rows } = await client.query<{
        v: string;
        millis: string | null;
        castable: boolean;
      }>(
        `SELECT v, pg_temp.millis(v)::bigint::text AS millis,
                CASE WHEN ${INSTANT_SHAPE_SQL} THEN CASE WHEN ${CASTABLE_SQL} THEN true END
                     ELSE false END IS TRUE AS castable
         FROM unnest($1::text[]) WITH ORDINALITY AS u(v, n),
              LATERAL (SELECT v COLLATE "C" AS dc) AS o
         ORDER BY n`,
        [all],
      );
      const wrong = rows
        .filter(
          (r) =>
            String(instantMillis(r.v)) !== String(r.millis) || r.castable !== (r.millis !== null),
        )
        .map(
          (r) =>
            `${r.v}: PostgreSQL ${r.millis}, load ${instantMillis(r.v)}, guarded ${r.castable}`,
        );
      expect(wrong).toEqual([]);
      // Both kinds are there in numbers.
      const instants = rows.filter((r) => r.millis !== null).length;
      expect(instants).toBeGreaterThan(300);
      expect(rows.length - instants).toBeGreaterThan(200);
    } finally {
      client.release();
    }
  });

  it("volume_vs_weekday_median: within the band, below it on the bad day, not enough history at first", async () => {
    const first = await evaluate(OFFRES_ASSET, "volume_vs_weekday_median", THURSDAYS[0]!);
    expect(first.passed).toBe(true);
    expect(first.description).toBe(
      `not enough history: 0 of the 4 previous Thursdays have offers (2 needed); ${PER_DAY} offers`,
    );
    const second = await evaluate(OFFRES_ASSET, "volume_vs_weekday_median", THURSDAYS[1]!);
    expect(second).toMatchObject({
      passed: true,
      metadata: { weeks_with_offers: 1, median: null },
    });

    const third = await evaluate(OFFRES_ASSET, "volume_vs_weekday_median", THURSDAYS[2]!);
    expect(third).toMatchObject({
      passed: true,
      metadata: {
        offers: PER_DAY,
        weeks_with_offers: 2,
        median: PER_DAY,
        band_low: 200,
        band_high: 600,
      },
    });

    const bad = await evaluate(OFFRES_ASSET, "volume_vs_weekday_median", BAD);
    expect(bad).toMatchObject({
      passed: false,
      metadata: {
        offers: 120,
        weeks_with_offers: 3,
        median: PER_DAY,
        band_low: 200,
        band_high: 600,
      },
    });
    expect(bad.description).toBe(
      "120 offers, below the band 200–600 (±50 % of the median 400 of the 3 previous Thursdays)",
    );
    // The week after: the bad Thursday is in the history, the median holds.
    const next = await evaluate(OFFRES_ASSET, "volume_vs_weekday_median", NEXT);
    expect(next).toMatchObject({
      passed: true,
      metadata: { weeks_with_offers: 4, median: PER_DAY },
    });
  });
});

describe("before the tables exist", () => {
  it("a check says which tables are missing and which assets build them", async () => {
    const empty = new Warehouse(await createTestDatabase({ migrate: false }));
    try {
      const check = checks.get(`${FAIT_OFFRE_ASSET}:rome_and_commune_known`)!;
      await expect(
        check.evaluate({
          ...contextFor(check, GOOD),
          resources: { ...resources, warehouse: empty },
        }),
      ).rejects.toThrow(
        "missing tables: emploi.fait_offre_emploi (built by emploi/fait_offre_emploi), emploi.dim_rome (built by emploi/dim_rome), emploi.dim_lieu (built by emploi/dim_lieu); materialise them first",
      );
    } finally {
      await empty.close();
    }
  });
});

describe("the suite's options", () => {
  it("refuses options that make no sense, naming them", () => {
    expect(() => jobOfferChecks({ volume: { weeks: 0 } })).toThrow(
      "quality suite: volume.weeks must be a whole number ≥ 1 (got 0); volume.minWeeks must be a whole number from 1 to volume.weeks (0) (got 2)",
    );
    expect(() => jobOfferChecks({ volume: { tolerance: -0.1 } })).toThrow(
      "quality suite: volume.tolerance must be ≥ 0 (got -0.1)",
    );
    expect(() => jobOfferChecks({ knownCodes: { minShare: 99 } })).toThrow(
      "quality suite: knownCodes.minShare must be between 0 and 1 (got 99)",
    );
    expect(jobOfferChecks({ volume: { weeks: 6, tolerance: 0.3, minWeeks: 3 } })).toHaveLength(5);
  });
});

describe("the volume band (pure)", () => {
  it("takes the median of what exists, and is configurable", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const opts = { weekday: "Monday", tolerance: 0.2, weeks: 6, minWeeks: 3 };
    expect(judgeVolume(1250, [1000, 1000, 1000], opts)).toMatchObject({
      passed: false,
      description:
        "1,250 offers, above the band 800–1,200 (±20 % of the median 1,000 of the 3 previous Mondays)",
    });
    expect(judgeVolume(1200, [1000, 1000, 1000], opts).passed).toBe(true);
    expect(judgeVolume(5, [1000, 1000], opts)).toMatchObject({
      passed: true,
      description:
        "not enough history: 2 of the 6 previous Mondays have offers (3 needed); 5 offers",
    });
  });
});

describe("emploi/fait_offre_emploi checks", () => {
  it("count_matches_raw passes on good days and fails on the bad day, whose shared ids went to the other day", async () => {
    for (const day of [GOOD, NEXT]) {
      const good = await evaluate(FAIT_OFFRE_ASSET, "count_matches_raw", day);
      expect(good, day).toMatchObject({
        passed: true,
        metadata: { raw_offers: PER_DAY, fact_rows: PER_DAY, missing: 0, extra: 0 },
      });
    }
    const { borrowed } = faultsOf(BAD);
    const bad = await evaluate(FAIT_OFFRE_ASSET, "count_matches_raw", BAD);
    expect(bad).toMatchObject({
      passed: false,
      metadata: {
        raw_offers: 120,
        fact_rows: 120 - borrowed,
        missing: borrowed,
        extra: 0,
        filed_under_another_day: borrowed,
      },
    });
    expect(bad.description).toBe(
      `${120 - borrowed} rows for 120 offers in raw.offres: ${borrowed} missing (${borrowed} of them filed under another day), 0 not in raw.offres`,
    );
  });

  it("rome_and_commune_known passes on good days and fails on the bad day's unknown codes", async () => {
    const good = await evaluate(FAIT_OFFRE_ASSET, "rome_and_commune_known", NEXT);
    expect(good.passed, good.description).toBe(true);
    expect(good.metadata).toMatchObject({ offers: PER_DAY, unknown_rome: 0, unknown_commune: 0 });

    const unknown = sim.offers(BAD).filter((o) => o.romeCode === "X9999").length;
    const bad = await evaluate(FAIT_OFFRE_ASSET, "rome_and_commune_known", BAD);
    expect(unknown).toBeGreaterThan(1);
    expect(bad.passed).toBe(false);
    // The bad day's fact rows: those of its ids borrowed from the day before are on that day.
    const rows = 120 - faultsOf(BAD).borrowed;
    expect(bad.metadata).toMatchObject({ offers: rows, min_share: 0.99 });
    expect(Number(bad.metadata?.unknown_rome)).toBeGreaterThan(0);
    expect(bad.description).toMatch(
      /^\d+\.\d % of \d+ offers have a known ROME code and commune \(< 99\.0 %\): \d+ unknown or missing ROME codes, \d+ unknown communes; \d+ located without a commune$/,
    );
  });
});

describe("dbt's tests on the bad day", () => {
  it("a build of good days and the bad day fails the bad day only, each test with its dbt severity", async () => {
    const fait = assets.find((a) => a.key === FAIT_OFFRE_ASSET)!;
    const noop = (): void => undefined;
    const log = { debug: noop, info: noop, warn: noop, error: noop };
    const days = [GOOD, BAD, NEXT];
    const result = await fait.runner!.run({
      runId: "quality-test",
      attempt: 1,
      members: [
        { assetKey: fait.key, partitionKeys: days, partitionKeyRange: { start: GOOD, end: NEXT } },
      ],
      log,
      logFor: () => log,
      signal: new AbortController().signal,
      resources,
    });
    const member = result[fait.key]!;
    if (!member.ok) throw member.error;
    const outcome = (name: string) =>
      Object.fromEntries(
        (member.checks ?? [])
          .filter((c) => c.name === name)
          .map((c) => [c.partitionKey, `${c.passed ? "pass" : "fail"} ${c.severity}`]),
      );
    expect(outcome("fait_offre_emploi_jour_date_creation")).toEqual({
      [GOOD]: "pass error",
      [BAD]: "fail error",
      [NEXT]: "pass error",
    });
    expect(outcome("relationships_fait_offre_emploi_rome_code__code_rome__ref_dim_rome_")).toEqual({
      [GOOD]: "pass warn",
      [BAD]: "fail warn",
      [NEXT]: "pass warn",
    });
    const dated = member.checks!.find(
      (c) => c.name === "fait_offre_emploi_jour_date_creation" && c.partitionKey === BAD,
    )!;
    expect(dated.description).toBe(
      `fail: ${faultsOf(BAD).outside} failing rows in ${BAD} (${faultsOf(BAD).outside} in the whole table)`,
    );
  }, 180_000);
});
