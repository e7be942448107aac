import codesNaf from "@socialgouv/codes-naf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { Warehouse } from "../warehouse/warehouse";
import { ReferenceDataError } from "./errors";
import { loadNaf, readNaf } from "./naf";

let warehouse: Warehouse;

beforeAll(async () => {
  warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
});

afterAll(async () => {
  await warehouse.close();
});

const count = async (table: string): Promise<number> =>
  Number((await warehouse.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

describe("readNaf", () => {
  it("builds the five levels of the NAF rév. 2, each entry under its parent", () => {
    const naf = readNaf();
    expect(naf.sections).toHaveLength(21);
    expect(naf.divisions).toHaveLength(88);
    expect(naf.groupes).toHaveLength(272);
    expect(naf.classes).toHaveLength(615);
    expect(naf.sousClasses).toHaveLength(732);
    expect(naf.sousClasses.find((e) => e.code === "47.11F")).toEqual({
      code: "47.11F",
      libelle: "Hypermarchés",
      parent: "47.11",
    });
    expect(naf.classes.find((e) => e.code === "47.11")?.parent).toBe("47.1");
    expect(naf.groupes.find((e) => e.code === "47.1")?.parent).toBe("47");
    expect(naf.divisions.find((e) => e.code === "47")?.parent).toBe("G");
    expect(naf.divisions.find((e) => e.code === "99")?.parent).toBe("U");
    expect(naf.sections[0]).toEqual({
      code: "A",
      libelle: "Agriculture, sylviculture et pêche",
      parent: null,
    });
    expect(naf.sections.at(-1)?.libelle).toBe("Activités extra-territoriales");
    // Every section covers at least one division of the package.
    const used = new Set(naf.divisions.map((d) => d.parent));
    expect(naf.sections.filter((s) => !used.has(s.code))).toEqual([]);
    expect(naf.sousClasses.filter((e) => e.libelle.includes("\u2019"))).toEqual([]);
  });

  it("refuses a source that changed shape", () => {
    const expectShape = (source: { id: string; label: string }[], message: RegExp) => {
      let error: unknown;
      try {
        readNaf(source);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ReferenceDataError);
      expect((error as ReferenceDataError).code).toBe("UNEXPECTED_SHAPE");
      expect((error as ReferenceDataError).message).toMatch(message);
    };
    expectShape(codesNaf.slice(0, -1), /expected 732 NAF sousClasses, found 731/);
    expectShape([...codesNaf, { id: "4711F", label: "x" }], /unexpected NAF code "4711F"/);
    expectShape([...codesNaf, { id: "47.11F", label: "x" }], /appears twice/);
    expectShape([{ id: "01.1", label: "x" }], /before its parent "01"/);
    expectShape([{ id: "04", label: "x" }], /division "04" belongs to no NAF section/);
  });
});

describe("loadNaf", () => {
  it("fills the five tables with their parents, and loads again to the same content", async () => {
    const stats = await loadNaf(warehouse);
    expect(stats).toMatchObject({
      rows: 21 + 88 + 272 + 615 + 732,
      naf_sections: 21,
      naf_divisions: 88,
      naf_groupes: 272,
      naf_classes: 615,
      naf_sous_classes: 732,
    });
    expect(stats.bytes).toBeGreaterThan(50_000);
    const again = await loadNaf(warehouse);
    expect(again.rows).toBe(stats.rows);
    expect(await count("raw.naf_sections")).toBe(21);
    expect(await count("raw.naf_divisions")).toBe(88);
    expect(await count("raw.naf_groupes")).toBe(272);
    expect(await count("raw.naf_classes")).toBe(615);
    expect(await count("raw.naf_sous_classes")).toBe(732);
    // Walking up from every sous-classe reaches a section: no parent is missing.
    const { rows } = await warehouse.pool.query(`
      SELECT count(*) AS n FROM raw.naf_sous_classes sc
      JOIN raw.naf_classes c ON c.code = sc.classe
      JOIN raw.naf_groupes g ON g.code = c.groupe
      JOIN raw.naf_divisions d ON d.code = g.division
      JOIN raw.naf_sections s ON s.code = d.section`);
    expect(Number(rows[0].n)).toBe(732);
  });

  it("leaves the previous content intact when a load fails", async () => {
    await loadNaf(warehouse);
    const naf = readNaf();
    const broken = { ...naf, sousClasses: [...naf.sousClasses, naf.sousClasses[0]!] };
    await expect(loadNaf(warehouse, { naf: broken })).rejects.toMatchObject({
      name: "ReferenceDataError",
      code: "LOAD_FAILED",
    });
    expect(await count("raw.naf_sections")).toBe(21);
    expect(await count("raw.naf_sous_classes")).toBe(732);
  });
});
