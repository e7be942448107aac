import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { generateDay } from "../france-travail/simulator/generate-day";
import { OfferGenerator } from "../france-travail/simulator/offer-generator";
import { Warehouse } from "../warehouse/warehouse";
import { loadOffresDay } from "./loader";
import { OFFER_FIELDS } from "./offer-row";
import { createResources } from "../resources";
import { OFFRES_DDL } from "./table";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "lignee-raw-offres-"));
});

async function file(name: string, lines: readonly string[]): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, `${lines.join("\n")}\n`);
  return p;
}

/** For each extracted column, the rows of `day` where it differs from `data::jsonb #>> path`. */
async function mismatches(warehouse: Warehouse, day: string): Promise<Record<string, number>> {
  const select = OFFER_FIELDS.map(
    (f) =>
      `count(*) FILTER (WHERE ${f.column} IS DISTINCT FROM data::jsonb #>> '{${f.path.join(",")}}') AS ${f.column}`,
  ).join(", ");
  const { rows } = await warehouse.pool.query<Record<string, string>>(
    `SELECT ${select} FROM raw.offres WHERE jour = $1`,
    [day],
  );
  return Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, Number(v)]));
}

const NONE = Object.fromEntries(OFFER_FIELDS.map((f) => [f.column, 0]));

describe("raw.offres' extracted columns", () => {
  let warehouse: Warehouse;
  beforeAll(async () => {
    warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
  });
  afterAll(async () => {
    await warehouse.close();
  });

  it("equal the JSON's fields for the simulator's offers, and the JSON is kept as it came", async () => {
    const day = "2024-08-01";
    const offers = generateDay(new OfferGenerator(7), { seed: 7, offersPerDay: () => 300 }, day);
    const lines = offers.map((o) => JSON.stringify(o.offer));
    const stats = await loadOffresDay(warehouse, await file("sim.ndjson", lines), day);
    expect(stats.rows).toBe(300);
    expect(await mismatches(warehouse, day)).toEqual(NONE);
    const { rows } = await warehouse.pool.query<{ data: string }>(
      'SELECT data FROM raw.offres WHERE jour = $1 ORDER BY id COLLATE "C"',
      [day],
    );
    expect(rows.map((r) => r.data)).toEqual([...lines].sort(byId));
    // Every field the models read is there on most offers: the paths are the API's.
    const { rows: filled } = await warehouse.pool.query<Record<string, string>>(
      `SELECT ${OFFER_FIELDS.map((f) => `count(${f.column}) AS ${f.column}`).join(", ")}
         FROM raw.offres WHERE jour = $1`,
      [day],
    );
    for (const f of ["date_creation", "intitule", "rome_code", "lieu_travail", "type_contrat"])
      expect(Number(filled[0]![f]), f).toBe(300);
  });

  it("equal the JSON's fields for missing, null, nested, boolean, numeric and escaped values", async () => {
    const day = "2024-08-02";
    const lines = [
      // Only an id: every column NULL.
      JSON.stringify({ id: "X1" }),
      JSON.stringify({
        id: "X2",
        intitule: 'Tab\there, "quotes", back\\slash, new\nline, accents é ü',
        dateCreation: "2024-08-02T09:12:44.000Z",
        lieuTravail: { libelle: "2A - Ajaccio", latitude: 41.919229, longitude: 8.738635 },
        alternance: true,
        nombrePostes: 12,
        codeNAF: null,
        entreprise: { nom: null },
        salaire: "not an object",
      }),
      // Unicode escapes and whitespace between tokens, as another JSON writer may produce.
      '{ "id" : "X3", "intitule" : "caf\\u00e9 \\/ \\ud83d\\ude00",\t"alternance": false, "lieuTravail": [1, 2] }',
      // Characters of two, three and four bytes, as they are (no escapes), at every depth.
      JSON.stringify({
        id: "X4",
        intitule: "Saint-Étienne — 🚀 emploi",
        entreprise: { nom: "Société Générale" },
        lieuTravail: { libelle: "42 - Saint-Étienne", commune: "42218" },
      }),
    ];
    await loadOffresDay(warehouse, await file("edge.ndjson", lines), day);
    expect(await mismatches(warehouse, day)).toEqual(NONE);
    const { rows } = await warehouse.pool.query(
      "SELECT id, intitule, alternance, nombre_postes, lieu_travail, latitude, data FROM raw.offres WHERE jour = $1 ORDER BY id",
      [day],
    );
    expect(rows[1]).toMatchObject({
      intitule: 'Tab\there, "quotes", back\\slash, new\nline, accents é ü',
      alternance: "true",
      nombre_postes: "12",
      lieu_travail: "2A - Ajaccio",
      latitude: "41.919229",
    });
    expect(rows[2]).toMatchObject({ intitule: "café / 😀", alternance: "false", data: lines[2] });
    expect(rows[3]).toMatchObject({
      intitule: "Saint-Étienne — 🚀 emploi",
      lieu_travail: "42 - Saint-Étienne",
      data: lines[3],
    });
  });
});

describe("a raw.offres of the first shape (data jsonb only)", () => {
  it("gets the extracted columns filled from its JSON, keeps its offers, and is migrated once", async () => {
    const warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
    try {
      await warehouse.pool.query(`
        CREATE SCHEMA raw;
        CREATE TABLE raw.offres (
          jour date NOT NULL, id text NOT NULL, data jsonb NOT NULL, PRIMARY KEY (jour, id));
        CREATE INDEX offres_id_idx ON raw.offres (id);
        INSERT INTO raw.offres VALUES
          ('2024-07-01', 'OLD1', '{"id": "OLD1", "intitule": "Ancienne", "lieuTravail": {"commune": "75111", "latitude": 48.85}, "nombrePostes": 2}'),
          ('2024-07-02', 'OLD2', '{"id": "OLD2", "dateCreation": "2024-07-02T08:00:00.000Z", "alternance": false}');`);
      const before = await warehouse.pool.query<{ data: string }>(
        "SELECT data::text AS data FROM raw.offres ORDER BY id",
      );

      // Any load applies the table's DDL first.
      await loadOffresDay(
        warehouse,
        await file("new.ndjson", [JSON.stringify({ id: "NEW1", intitule: "Nouvelle" })]),
        "2024-07-03",
      );

      const { rows } = await warehouse.pool.query(
        "SELECT id, jour::text, data, intitule, code_commune, latitude, nombre_postes, date_creation, alternance FROM raw.offres ORDER BY id",
      );
      expect(rows).toEqual([
        {
          id: "NEW1",
          jour: "2024-07-03",
          data: '{"id":"NEW1","intitule":"Nouvelle"}',
          intitule: "Nouvelle",
          code_commune: null,
          latitude: null,
          nombre_postes: null,
          date_creation: null,
          alternance: null,
        },
        {
          id: "OLD1",
          jour: "2024-07-01",
          data: before.rows[0]!.data,
          intitule: "Ancienne",
          code_commune: "75111",
          latitude: "48.85",
          nombre_postes: "2",
          date_creation: null,
          alternance: null,
        },
        {
          id: "OLD2",
          jour: "2024-07-02",
          data: before.rows[1]!.data,
          intitule: null,
          code_commune: null,
          latitude: null,
          nombre_postes: null,
          date_creation: "2024-07-02T08:00:00.000Z",
          alternance: "false",
        },
      ]);
      for (const day of ["2024-07-01", "2024-07-02", "2024-07-03"])
        expect(await mismatches(warehouse, day)).toEqual(NONE);
      const type = async (): Promise<string> =>
        (
          await warehouse.pool.query<{ t: string }>(
            "SELECT data_type AS t FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = 'offres' AND column_name = 'data'",
          )
        ).rows[0]!.t;
      expect(await type()).toBe("text");

      // Applying the DDL again changes nothing (the backfill does not run twice).
      await warehouse.pool.query("UPDATE raw.offres SET intitule = 'changed' WHERE id = 'OLD1'");
      await warehouse.ensure(OFFRES_DDL);
      const again = await warehouse.pool.query<{ intitule: string }>(
        "SELECT intitule FROM raw.offres WHERE id = 'OLD1'",
      );
      expect(again.rows[0]!.intitule).toBe("changed");
      expect(await type()).toBe("text");
    } finally {
      await warehouse.close();
    }
  });
});

describe("the storage setting of raw.offres", () => {
  it("is added to an older table when it can be, and never holds a load up when it cannot", async () => {
    const url = await createTestDatabase({ migrate: false });
    const warehouse = new Warehouse(url);
    const holder = new Warehouse(url);
    const options = async (): Promise<string[] | null> =>
      (
        await warehouse.pool.query<{ o: string[] | null }>(
          "SELECT reloptions AS o FROM pg_class WHERE oid = 'raw.offres'::regclass",
        )
      ).rows[0]!.o;
    try {
      await warehouse.ensure(OFFRES_DDL);
      await warehouse.pool.query("ALTER TABLE raw.offres RESET (toast_tuple_target)");
      // A lock that conflicts with the setting's (as autovacuum's, or a day's ANALYZE until
      // its load commits): the DDL goes on without the setting instead of waiting.
      const client = await holder.pool.connect();
      try {
        await client.query("BEGIN");
        await client.query("LOCK TABLE raw.offres IN SHARE UPDATE EXCLUSIVE MODE");
        await warehouse.ensure(OFFRES_DDL);
        expect(await options()).toBeNull();
        await client.query("ROLLBACK");
      } finally {
        client.release();
      }
      await warehouse.ensure(OFFRES_DDL);
      expect(await options()).toEqual(["toast_tuple_target=8160"]);
    } finally {
      await holder.close();
      await warehouse.close();
    }
  });
});

describe("a run's resources", () => {
  it("migrate a raw.offres of the first shape before any load, so that the models find its columns", async () => {
    const url = await createTestDatabase({ migrate: false });
    const setup = new Warehouse(url);
    await setup.pool.query(`
      CREATE SCHEMA raw;
      CREATE TABLE raw.offres (
        jour date NOT NULL, id text NOT NULL, data jsonb NOT NULL, PRIMARY KEY (jour, id));
      INSERT INTO raw.offres VALUES ('2024-07-01', 'OLD1', '{"id": "OLD1", "romeCode": "K2204"}');`);
    const resources = await createResources({ databaseUrl: url, home: dir });
    await resources.close();
    const { rows } = await setup.pool.query("SELECT id, rome_code FROM raw.offres");
    await setup.close();
    expect(rows).toEqual([{ id: "OLD1", rome_code: "K2204" }]);
  });
});

function byId(a: string, b: string): number {
  const id = (line: string): string => (JSON.parse(line) as { id: string }).id;
  return id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0;
}
