import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { Warehouse } from "../warehouse/warehouse";
import { ReferenceDataError } from "./errors";
import { checkRome, loadRome, readShippedRome, type RomeLists } from "./rome";

let warehouse: Warehouse;

beforeAll(async () => {
  warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
});

afterAll(async () => {
  await warehouse.close();
});

const count = async (table: string): Promise<number> =>
  Number((await warehouse.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

/** What the France Travail ROME API returns, trimmed to a few entries. */
const fromApi: RomeLists = {
  grandsDomaines: [
    { code: "K", libelle: "Services à la personne et à la collectivité" },
    { code: "M", libelle: "Support à l'entreprise" },
  ],
  domainesProfessionnels: [
    { code: "K13", libelle: "Aide à la vie quotidienne" },
    { code: "M16", libelle: "Secrétariat et assistance" },
  ],
  metiers: [
    { code: "K1302", libelle: "Assistance auprès d'adultes" },
    { code: "K1304", libelle: "Services domestiques" },
    { code: "M1607", libelle: "Secrétariat" },
  ],
};

describe("ROME", () => {
  it("loads the shipped ROME v3 with each level under its parent", async () => {
    const stats = await loadRome(warehouse, readShippedRome());
    expect(stats).toMatchObject({
      rows: 14 + 110 + 532,
      rome_grands_domaines: 14,
      rome_domaines_professionnels: 110,
      rome_metiers: 532,
    });
    expect(await count("raw.rome_grands_domaines")).toBe(14);
    expect(await count("raw.rome_domaines_professionnels")).toBe(110);
    expect(await count("raw.rome_metiers")).toBe(532);
    const { rows } = await warehouse.pool.query(`
      SELECT count(*) AS n FROM raw.rome_metiers m
      JOIN raw.rome_domaines_professionnels d ON d.code = m.domaine_professionnel
      JOIN raw.rome_grands_domaines g ON g.code = d.grand_domaine`);
    expect(Number(rows[0].n)).toBe(532);
    const k1302 = await warehouse.pool.query(
      "SELECT libelle, domaine_professionnel FROM raw.rome_metiers WHERE code = 'K1302'",
    );
    expect(k1302.rows).toEqual([
      { libelle: "Assistance auprès d'adultes", domaine_professionnel: "K13" },
    ]);
  });

  it("replaces the content with lists fetched from the API, and back", async () => {
    await loadRome(warehouse, readShippedRome());
    const stats = await loadRome(warehouse, fromApi);
    expect(stats).toMatchObject({ rome_grands_domaines: 2, rome_metiers: 3 });
    expect(await count("raw.rome_metiers")).toBe(3);
    await loadRome(warehouse, readShippedRome());
    expect(await count("raw.rome_metiers")).toBe(532);
  });

  it("refuses lists that do not fit together, before touching the tables", async () => {
    await loadRome(warehouse, readShippedRome());
    const cases: [RomeLists, RegExp][] = [
      [{ ...fromApi, metiers: [{ code: "N4403", libelle: "x" }] }, /no domaine professionnel N44/],
      [
        { ...fromApi, domainesProfessionnels: [{ code: "A11", libelle: "x" }] },
        /no grand domaine A/,
      ],
      [{ ...fromApi, metiers: [...fromApi.metiers, fromApi.metiers[0]!] }, /K1302 appears twice/],
      [{ ...fromApi, metiers: [{ code: "K130", libelle: "x" }] }, /"K130" is not of the form/],
      [{ ...fromApi, grandsDomaines: [] }, /no grand domaine$/],
    ];
    for (const [lists, message] of cases) {
      expect(() => checkRome(lists)).toThrow(message);
      await expect(loadRome(warehouse, lists)).rejects.toBeInstanceOf(ReferenceDataError);
    }
    expect(await count("raw.rome_metiers")).toBe(532);
  });
});
