import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { Warehouse } from "../warehouse/warehouse";
import { loadCog, readCog } from "./cog";

let warehouse: Warehouse;

beforeAll(async () => {
  warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
});

afterAll(async () => {
  await warehouse.close();
});

/** The package's files, counted here independently of the loader. */
const raw = (name: string): { type?: string; zone?: string }[] =>
  JSON.parse(
    readFileSync(
      createRequire(import.meta.url).resolve(`@etalab/decoupage-administratif/data/${name}.json`),
      "utf8",
    ),
  );
const communesJson = raw("communes");
const expected = {
  regions: raw("regions").length,
  departements: raw("departements").length,
  actuelles: communesJson.filter((c) => c.type === "commune-actuelle").length,
  arrondissements: communesJson.filter((c) => c.type === "arrondissement-municipal").length,
};

const query = async (sql: string): Promise<Record<string, unknown>[]> =>
  (await warehouse.pool.query(sql)).rows;
const count = async (sql: string): Promise<number> => Number((await query(sql))[0]?.n);

describe("COG", () => {
  it("reads régions, départements, communes actuelles and arrondissements municipaux", () => {
    // @etalab/decoupage-administratif 6.0.0 (COG 2026).
    expect(expected).toEqual({
      regions: 26,
      departements: 109,
      actuelles: 34_969,
      arrondissements: 45,
    });
    const cog = readCog();
    expect(cog.regions).toHaveLength(expected.regions);
    expect(cog.departements).toHaveLength(expected.departements);
    expect(cog.communes).toHaveLength(expected.actuelles + expected.arrondissements);
  });

  it("loads the three tables, keeping every zone, and loads again to the same content", async () => {
    const stats = await loadCog(warehouse);
    expect(stats).toMatchObject({
      cog_regions: expected.regions,
      cog_departements: expected.departements,
      cog_communes: expected.actuelles + expected.arrondissements,
      communes_actuelles: expected.actuelles,
      arrondissements_municipaux: expected.arrondissements,
    });
    await loadCog(warehouse);
    expect(await count("SELECT count(*) AS n FROM raw.cog_regions")).toBe(expected.regions);
    expect(await count("SELECT count(*) AS n FROM raw.cog_departements")).toBe(
      expected.departements,
    );
    expect(
      await query(
        "SELECT type, count(*)::int AS n FROM raw.cog_communes GROUP BY type ORDER BY type",
      ),
    ).toEqual([
      { type: "arrondissement-municipal", n: expected.arrondissements },
      { type: "commune-actuelle", n: expected.actuelles },
    ]);
    // What the later models keep: 18 régions, 101 départements (mainland and the five DROM).
    expect(await count("SELECT count(*) AS n FROM raw.cog_regions WHERE zone <> 'com'")).toBe(18);
    expect(await count("SELECT count(*) AS n FROM raw.cog_departements WHERE zone <> 'com'")).toBe(
      101,
    );
    // Every commune's département and région exist.
    expect(
      await count(`SELECT count(*) AS n FROM raw.cog_communes c
        LEFT JOIN raw.cog_departements d ON d.code = c.departement
        LEFT JOIN raw.cog_regions r ON r.code = c.region
        WHERE d.code IS NULL OR r.code IS NULL`),
    ).toBe(0);
  });

  it("gives arrondissements a population and their commune as parent", async () => {
    await loadCog(warehouse);
    const parents = await query(`
      SELECT a.commune_parente AS parent, p.nom, p.type, count(*)::int AS n,
             bool_and(a.population > 0) AS peuples, sum(a.population)::int AS population
      FROM raw.cog_communes a JOIN raw.cog_communes p ON p.code = a.commune_parente
      WHERE a.type = 'arrondissement-municipal'
      GROUP BY 1, 2, 3 ORDER BY 1`);
    expect(parents.map(({ population: _, ...p }) => p)).toEqual([
      { parent: "13055", nom: "Marseille", type: "commune-actuelle", n: 16, peuples: true },
      { parent: "69123", nom: "Lyon", type: "commune-actuelle", n: 9, peuples: true },
      { parent: "75056", nom: "Paris", type: "commune-actuelle", n: 20, peuples: true },
    ]);
    expect(
      await query(
        "SELECT nom, codes_postaux, commune_parente FROM raw.cog_communes WHERE code = '75101'",
      ),
    ).toEqual([
      { nom: "Paris 1er Arrondissement", codes_postaux: ["75001"], commune_parente: "75056" },
    ]);
    expect(
      await count(
        "SELECT count(*) AS n FROM raw.cog_communes WHERE type = 'commune-actuelle' AND commune_parente IS NOT NULL",
      ),
    ).toBe(0);
  });
});
