import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { ZipFile } from "yazl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTransient } from "@lignee/engine";
import { createTestDatabase } from "../../../../tests/support/database";
import { freePort } from "../../../../tests/support/free-port";
import { startS3Proxy } from "../../../../tests/support/s3proxy";
import { Warehouse } from "../warehouse/warehouse";
import { STOCK_ETABLISSEMENT_COLUMNS } from "./columns";
import { csvRecords } from "./csv-records";
import { SireneLoadError } from "./errors";
import {
  generateStockEtablissement,
  STOCK_ETABLISSEMENT_ENTRY,
  type GenerateStats,
} from "./generator";
import { loadSireneEtablissements } from "./loader";
import { sireneSource } from "./source-file";

let warehouse: Warehouse;
let dir: string;
/** A 5,000-row file from the generator, and what the generator counted while writing it. */
let csv: string;
let generated: GenerateStats;
let lines: string[];

const ETAT = STOCK_ETABLISSEMENT_COLUMNS.indexOf("etatAdministratifEtablissement");

beforeAll(async () => {
  warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
  dir = await mkdtemp(path.join(tmpdir(), "lignee-sirene-"));
  csv = path.join(dir, "stock.csv");
  generated = await generateStockEtablissement(csv, { rows: 5_000, seed: 11 });
  lines = (await readFile(csv, "utf8")).split("\n");
});

afterAll(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string[] | string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, typeof content === "string" ? content : content.join("\n"));
  return p;
}

async function zip(name: string, entries: Record<string, string>): Promise<string> {
  const p = path.join(dir, name);
  const archive = new ZipFile();
  for (const [entry, text] of Object.entries(entries)) archive.addBuffer(Buffer.from(text), entry);
  archive.end();
  await pipeline(archive.outputStream, createWriteStream(p));
  return p;
}

/** The line number (1 = the header) of the first active establishment. */
const firstActive = (): number =>
  1 + lines.findIndex((l, i) => i > 0 && l.split(",")[ETAT] === "A");
/** The line number of the first line with a quote. */
const firstQuoted = (): number => 1 + lines.findIndex((l, i) => i > 0 && l.includes('"'));
/** A line with field `index` (before etatAdministratif: no generated one holds a comma) set. */
const setField = (text: string, index: number, value: string): string =>
  text
    .split(",")
    .map((f, i) => (i === index ? value : f))
    .join(",");
/** The first five fields, the fifth being dateCreationEtablissement. */
const DATE_CREATION = /^((?:[^,]*,){4})\d{4}-\d{2}-\d{2}/;

/** Lines with `edit` applied to the line numbered `line` (1 = the header). */
const editLine = (line: number, edit: (text: string) => string): string[] =>
  lines.map((text, i) => (i === line - 1 ? edit(text) : text));

/** The table's content in one value, to compare loads. */
async function snapshot(): Promise<{ n: number; distinct: number; digest: string }> {
  const { rows } = await warehouse.pool.query(`
    SELECT count(*)::int AS n, count(DISTINCT siret)::int AS distinct,
           coalesce(md5(string_agg(t::text, '|' ORDER BY siret)), '') AS digest
    FROM raw.sirene_etablissements t`);
  return rows[0];
}

async function loadError(p: string): Promise<SireneLoadError> {
  try {
    await loadSireneEtablissements(warehouse, p);
  } catch (error) {
    if (error instanceof SireneLoadError) return error;
    throw error;
  }
  throw new Error(`loading ${p} did not fail`);
}

describe("loadSireneEtablissements", () => {
  it("loads the active establishments of a generated file", async () => {
    // Counted a second way: before etatAdministratif no generated field holds a comma.
    const active = lines.slice(1).filter((l) => l.split(",")[ETAT] === "A").length;
    expect(active).toBe(generated.active);
    expect(generated.active).toBeLessThan(generated.rows);

    const stats = await loadSireneEtablissements(warehouse, csv);
    expect(stats).toMatchObject({
      rows: generated.active,
      rowsRead: 5_000,
      bytes: generated.bytes,
      fileBytes: generated.bytes,
      sirene_etablissements: generated.active,
    });
    const table = await snapshot();
    expect(table.n).toBe(generated.active);
    expect(table.distinct).toBe(generated.active);
    const { rows } = await warehouse.pool.query(
      "SELECT DISTINCT etat_administratif_etablissement AS etat FROM raw.sirene_etablissements",
    );
    expect(rows).toEqual([{ etat: "A" }]);
  });

  it("maps every column, quoted ones included, and empty fields to NULL", async () => {
    await loadSireneEtablissements(warehouse, csv);
    const header = lines[0]!.split(",");
    const records: Record<string, string>[] = [];
    for await (const { fields } of csvRecords(lines.slice(1).join("\n"))) {
      records.push(Object.fromEntries(header.map((h, i) => [h, fields[i]!])));
    }
    const quoted = records.find(
      (r) => r.etatAdministratifEtablissement === "A" && /[",]/.test(r.enseigne1Etablissement!),
    )!;
    expect(quoted).toBeDefined();
    const { rows } = await warehouse.pool.query(
      `SELECT *, date_creation_etablissement::text AS date_creation_etablissement
       FROM raw.sirene_etablissements WHERE siret = $1`,
      [quoted.siret],
    );
    const orNull = (v: string | undefined) => (v === "" ? null : v);
    expect(rows).toEqual([
      {
        siret: quoted.siret,
        siren: quoted.siren,
        etat_administratif_etablissement: "A",
        code_commune_etablissement: quoted.codeCommuneEtablissement,
        activite_principale_etablissement: quoted.activitePrincipaleEtablissement,
        nomenclature_activite_principale_etablissement: "NAFRev2",
        tranche_effectifs_etablissement: orNull(quoted.trancheEffectifsEtablissement),
        date_creation_etablissement: orNull(quoted.dateCreationEtablissement),
        etablissement_siege: quoted.etablissementSiege === "true",
        denomination_usuelle_etablissement: orNull(quoted.denominationUsuelleEtablissement),
        enseigne1_etablissement: quoted.enseigne1Etablissement,
        code_postal_etablissement: quoted.codePostalEtablissement,
        libelle_commune_etablissement: quoted.libelleCommuneEtablissement,
      },
    ]);
  });

  it("loads a zip the same as the CSV it holds, without extracting it", async () => {
    await loadSireneEtablissements(warehouse, csv);
    const fromCsv = await snapshot();
    const zipped = path.join(dir, "stock-zip.zip");
    const stats = await generateStockEtablissement(zipped, { rows: 5_000, seed: 11, zip: true });
    expect(stats.active).toBe(generated.active);
    const loaded = await loadSireneEtablissements(warehouse, zipped);
    expect(loaded.rows).toBe(generated.active);
    expect(loaded.bytes).toBe(generated.bytes);
    expect(loaded.fileBytes).toBeLessThan(generated.bytes);
    expect(await snapshot()).toEqual(fromCsv);
  });

  it("loads a CSV and a zip streamed from an S3 bucket (the zip read by ranges) as from the disk", async () => {
    await loadSireneEtablissements(warehouse, csv);
    const fromDisk = await snapshot();
    const zipped = path.join(dir, "stock-s3.zip");
    await generateStockEtablissement(zipped, { rows: 5_000, seed: 11, zip: true });
    const proxy = await startS3Proxy("sirene");
    const store = proxy.store("s3://sirene/lignee");
    try {
      for (const [key, local] of [
        ["raw/sirene/StockEtablissement_utf8.csv", csv],
        ["raw/sirene/StockEtablissement_utf8.zip", zipped],
      ] as const) {
        await store.write(key, await readFile(local));
        await warehouse.pool.query("TRUNCATE raw.sirene_etablissements");
        const loaded = await loadSireneEtablissements(warehouse, { store, key });
        expect(loaded).toMatchObject({ rows: generated.active, bytes: generated.bytes });
        expect(await snapshot()).toEqual(fromDisk);
      }
      // The newest official file of the bucket's raw/sirene/ is the one a run loads.
      const source = await sireneSource(dir, { store, syntheticRows: 10 });
      expect(source).toMatchObject({
        synthetic: false,
        file: "s3://sirene/lignee/raw/sirene/StockEtablissement_utf8.zip",
        object: { key: "raw/sirene/StockEtablissement_utf8.zip" },
      });
      // A store out of reach is the store's failure, retried as such, not a missing file.
      const away = proxy.store("s3://sirene/lignee", {
        endpoint: `http://127.0.0.1:${await freePort()}`,
        maxAttempts: 1,
      });
      const unreachable = await loadSireneEtablissements(warehouse, {
        store: away,
        key: "raw/sirene/StockEtablissement_utf8.zip",
      })
        .catch((e: unknown) => e)
        .finally(() => away.close());
      expect(unreachable).toBeInstanceOf(SireneLoadError);
      expect((unreachable as SireneLoadError).code).toBe("LOAD_FAILED");
      expect(isTransient(unreachable)).toBe(true);
      const missing = await loadSireneEtablissements(warehouse, {
        store,
        key: "raw/sirene/none.csv",
      }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(SireneLoadError);
      expect((missing as SireneLoadError).code).toBe("FILE_MISSING");
    } finally {
      await store.close();
      await proxy.stop();
    }
  });

  it("reads columns by name, whatever their order, and ignores unknown ones", async () => {
    await loadSireneEtablissements(warehouse, csv);
    const expected = await snapshot();
    // A fixed shuffle of the 54 columns, plus one INSEE might add some day.
    const order = STOCK_ETABLISSEMENT_COLUMNS.map((_, i) => (i * 17 + 5) % 54);
    expect(new Set(order).size).toBe(54);
    const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const out: string[] = [];
    for await (const { fields } of csvRecords(lines.join("\n"))) {
      const extra = out.length === 0 ? "nouvelleColonne" : "x, y";
      out.push([...order.map((i) => fields[i]!), extra].map(quote).join(","));
    }
    expect(out[0]!.startsWith("trancheEffectifsEtablissement,codeCommuneEtablissement,")).toBe(
      true,
    );
    const shuffled = await file("shuffled.csv", `${out.join("\r\n")}\r\n`);
    const stats = await loadSireneEtablissements(warehouse, shuffled);
    expect(stats.rows).toBe(generated.active);
    expect(await snapshot()).toEqual(expected);
  });

  it("loads a file with a BOM and blank lines the same", async () => {
    await loadSireneEtablissements(warehouse, csv);
    const expected = await snapshot();
    const withBom = await file("bom.csv", `\uFEFF${lines.join("\n\n")}`);
    const stats = await loadSireneEtablissements(warehouse, withBom);
    expect(stats.rows).toBe(generated.active);
    expect(await snapshot()).toEqual(expected);
  });

  it("loads bytes that are not UTF-8 as U+FFFD, as when decoding the file", async () => {
    const line = firstActive();
    const bytes = Buffer.concat(
      lines.map((text, i) => {
        if (i !== line - 1) return Buffer.from(`${text}\n`);
        const fields = text.split(",");
        return Buffer.concat([
          Buffer.from(`${fields.slice(0, 19).join(",")},X`),
          Buffer.from([0xff, 0xe2, 0x82]),
          Buffer.from(`Y,${fields.slice(20).join(",")}\n`),
        ]);
      }),
    );
    const p = path.join(dir, "latin.csv");
    await writeFile(p, bytes);
    await loadSireneEtablissements(warehouse, p);
    const { rows } = await warehouse.pool.query(
      "SELECT libelle_commune_etablissement AS commune FROM raw.sirene_etablissements WHERE siret = $1",
      [lines[line - 1]!.split(",")[2]],
    );
    expect(rows).toEqual([{ commune: "X\uFFFD\uFFFDY" }]);
  });

  it("loads again to the same content, without duplicates", async () => {
    await loadSireneEtablissements(warehouse, csv);
    const first = await snapshot();
    await loadSireneEtablissements(warehouse, csv);
    const second = await snapshot();
    expect(second).toEqual(first);
    expect(second.distinct).toBe(second.n);
  });

  it("keeps the primary key on siret, built once the rows are in", async () => {
    const key = async () =>
      (
        await warehouse.pool.query<{ name: string; definition: string; valid: boolean }>(
          `SELECT c.conname AS name, pg_get_constraintdef(c.oid) AS definition, i.indisvalid AS valid
           FROM pg_constraint c JOIN pg_index i ON i.indexrelid = c.conindid
           WHERE c.conrelid = 'raw.sirene_etablissements'::regclass AND c.contype = 'p'`,
        )
      ).rows;
    await loadSireneEtablissements(warehouse, csv);
    const before = await key();
    expect(before).toEqual([
      { name: expect.any(String), definition: "PRIMARY KEY (siret)", valid: true },
    ]);
    await loadSireneEtablissements(warehouse, csv);
    expect(await key()).toEqual(before);
  });

  it("loads with the primary key in place when a view depends on it", async () => {
    // A view grouping by the key reads the other columns through it: the key cannot be
    // dropped, so the rows go through its index one by one, as they did before.
    await warehouse.pool.query(
      "CREATE VIEW raw.sirene_by_siret AS SELECT siret, siren FROM raw.sirene_etablissements GROUP BY siret",
    );
    try {
      const stats = await loadSireneEtablissements(warehouse, csv);
      expect(stats.rows).toBe(generated.active);
      const { rows } = await warehouse.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM raw.sirene_by_siret",
      );
      expect(rows[0]!.n).toBe(generated.active);
      await expect(
        loadSireneEtablissements(
          warehouse,
          await file("twice-view.csv", [
            ...lines.filter((l) => l !== ""),
            lines[firstActive() - 1]!,
            "",
          ]),
        ),
      ).rejects.toMatchObject({ code: "INVALID_VALUE", line: 5002 });
    } finally {
      await warehouse.pool.query("DROP VIEW raw.sirene_by_siret");
    }
  });

  describe("refuses malformed input, names the file and line, and keeps the previous content", () => {
    let before: Awaited<ReturnType<typeof snapshot>>;

    beforeAll(async () => {
      await loadSireneEtablissements(warehouse, csv);
      before = await snapshot();
    });

    const cases: [string, () => Promise<string>, Partial<SireneLoadError>, RegExp][] = [
      [
        "a line with a field missing",
        () =>
          file(
            "short.csv",
            editLine(1234, (l) => l.slice(0, l.lastIndexOf(","))),
          ),
        { code: "MALFORMED_CSV", line: 1234 },
        /short\.csv:1234: expected 54 fields as in the header, found 53/,
      ],
      [
        "a line with a field too many",
        () =>
          file(
            "long.csv",
            editLine(4321, (l) => `${l},`),
          ),
        { code: "MALFORMED_CSV", line: 4321 },
        /long\.csv:4321: expected 54 fields/,
      ],
      [
        "an unbalanced quote",
        () =>
          file(
            "quote.csv",
            editLine(2500, (l) => l.replace(",", ',"')),
          ),
        { code: "MALFORMED_CSV", line: 2500 },
        /quote\.csv:2500: unbalanced quote/,
      ],
      [
        "an unbalanced quote on the last line",
        () =>
          file(
            "quote-end.csv",
            editLine(5001, (l) => l.replace(",", ',"')),
          ),
        { code: "MALFORMED_CSV", line: 5001 },
        /quote-end\.csv:5001: unbalanced quote/,
      ],
      [
        "a line with quotes and a field missing",
        () =>
          file(
            "short-quoted.csv",
            editLine(firstQuoted(), (l) => l.slice(l.indexOf(",") + 1)),
          ),
        {
          code: "MALFORMED_CSV",
          get line() {
            return firstQuoted();
          },
        },
        /short-quoted\.csv:\d+: expected 54 fields as in the header, found 53/,
      ],
      [
        "a missing required column",
        () =>
          file(
            "header.csv",
            editLine(1, (l) => l.replace("codeCommuneEtablissement", "codeCommune")),
          ),
        { code: "MISSING_COLUMN", line: 1 },
        /header\.csv:1: the header lacks codeCommuneEtablissement/,
      ],
      [
        "a date that does not exist",
        // Closed establishments are skipped unread: the first active one is where it fails.
        () =>
          file(
            "date.csv",
            editLine(firstActive(), (l) => l.replace(DATE_CREATION, "$12023-13-01")),
          ),
        {
          code: "INVALID_VALUE",
          get line() {
            return firstActive();
          },
        },
        /date\.csv:\d+: dateCreationEtablissement "2023-13-01" is not a date/,
      ],
      [
        "an establishment without a siret",
        () =>
          file(
            "no-siret.csv",
            editLine(firstActive(), (l) => setField(l, 2, "")),
          ),
        {
          code: "INVALID_VALUE",
          get line() {
            return firstActive();
          },
        },
        /no-siret\.csv:\d+: siret is empty/,
      ],
      [
        "a head office flag that is not a boolean",
        () =>
          file(
            "siege.csv",
            editLine(firstActive(), (l) => setField(l, 9, "oui")),
          ),
        {
          code: "INVALID_VALUE",
          get line() {
            return firstActive();
          },
        },
        /siege\.csv:\d+: etablissementSiege "oui" is not true or false/,
      ],
      [
        "an establishment listed twice",
        () => file("twice.csv", [...lines.filter((l) => l !== ""), lines[firstActive() - 1]!, ""]),
        { code: "INVALID_VALUE", line: 5002 },
        // Found once every row is in: the file is read again for the lines of that siret.
        /twice\.csv:5002: siret \d{14} is listed twice, first on line \d+$/,
      ],
      [
        "a malformed line inside a zip",
        () =>
          zip("short.zip", {
            [STOCK_ETABLISSEMENT_ENTRY]: editLine(77, (l) => l.slice(0, l.lastIndexOf(","))).join(
              "\n",
            ),
          }),
        { code: "MALFORMED_CSV", line: 77 },
        /short\.zip!StockEtablissement_utf8\.csv:77: expected 54 fields/,
      ],
      [
        "a zip with two CSV files",
        () => zip("two.zip", { "a.csv": "siret\n", "b.csv": "siret\n" }),
        { code: "ZIP_INVALID" },
        /two\.zip: expected one \.csv in the zip, found 2 \(a\.csv, b\.csv\)/,
      ],
      [
        "a file that is not there",
        async () => path.join(dir, "absent.csv"),
        { code: "FILE_MISSING" },
        /absent\.csv: no such file/,
      ],
      ["an empty file", () => file("empty.csv", ""), { code: "MALFORMED_CSV" }, /empty file/],
    ];

    it("a cancelled load", async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(
        loadSireneEtablissements(warehouse, csv, { signal: controller.signal }),
      ).rejects.toMatchObject({ name: "SireneLoadError", code: "LOAD_FAILED" });
      expect(await snapshot()).toEqual(before);
    });

    for (const [what, make, expected, message] of cases) {
      it(what, async () => {
        const error = await loadError(await make());
        expect(error).toMatchObject(expected);
        expect(error.message).toMatch(message);
        expect(await snapshot()).toEqual(before);
      });
    }
  });
});
