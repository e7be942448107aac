import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import yauzl from "yauzl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCog } from "../reference/cog";
import { readNaf } from "../reference/naf";
import { STOCK_ETABLISSEMENT_COLUMNS } from "./columns";
import { csvRecords } from "./csv-records";
import {
  generateStockEtablissement,
  STOCK_ETABLISSEMENT_ENTRY,
  stockEtablissementChunks,
} from "./generator";
import { isLuhnValid } from "./siret";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "lignee-sirene-gen-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function generate(
  rows: number,
  seed: number,
): { text: string; stats: { rows: number; active: number; bytes: number } } {
  const stats = { rows: 0, active: 0, bytes: 0 };
  const text = Buffer.concat([...stockEtablissementChunks({ rows, seed }, stats)]).toString("utf8");
  return { text, stats };
}

async function records(text: string): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  let header: string[] | undefined;
  for await (const { fields } of csvRecords([text])) {
    if (!header) header = fields;
    else {
      expect(fields).toHaveLength(header.length);
      out.push(Object.fromEntries(header.map((h, i) => [h, fields[i] ?? ""])));
    }
  }
  return out;
}

describe("stockEtablissementChunks", () => {
  it("writes INSEE's header and rows that look like the real stock", async () => {
    const { text, stats } = generate(5_000, 42);
    expect(text.slice(0, text.indexOf("\n"))).toBe(STOCK_ETABLISSEMENT_COLUMNS.join(","));
    expect(STOCK_ETABLISSEMENT_COLUMNS).toHaveLength(54);
    const rows = await records(text);
    expect(rows).toHaveLength(5_000);
    expect(stats).toEqual({
      rows: 5_000,
      active: rows.filter((r) => r.etatAdministratifEtablissement === "A").length,
      bytes: Buffer.byteLength(text),
    });
    // About 85 % active, the rest closed.
    expect(stats.active / stats.rows).toBeGreaterThan(0.82);
    expect(stats.active / stats.rows).toBeLessThan(0.88);
    expect(new Set(rows.map((r) => r.etatAdministratifEtablissement))).toEqual(new Set(["A", "F"]));

    const sirets = new Set(rows.map((r) => r.siret));
    expect(sirets.size).toBe(rows.length);
    for (const r of rows) {
      expect(r.siret).toMatch(/^\d{14}$/);
      expect(r.siret).toBe(r.siren! + r.nic!);
      expect(isLuhnValid(r.siren!) && isLuhnValid(r.siret!)).toBe(true);
    }
    // The first establishment of each enterprise is its siège.
    const sieges = rows.filter((r) => r.etablissementSiege === "true");
    expect(new Set(sieges.map((r) => r.siren)).size).toBe(new Set(rows.map((r) => r.siren)).size);

    // Real communes (Paris, Lyon, Marseille by arrondissement) and real postcodes of them.
    const communes = new Map(readCog().communes.map((c) => [c.code, c]));
    for (const r of rows) {
      const commune = communes.get(r.codeCommuneEtablissement!);
      expect(commune, r.codeCommuneEtablissement).toBeDefined();
      expect(commune?.codesPostaux).toContain(r.codePostalEtablissement);
    }
    expect(rows.some((r) => r.codeCommuneEtablissement === "75056")).toBe(false);
    expect(rows.some((r) => r.codeCommuneEtablissement?.startsWith("751"))).toBe(true);

    // Real NAF rév. 2 sous-classes, in the "NAFRev2" format.
    const naf = new Set(readNaf().sousClasses.map((s) => s.code));
    for (const r of rows.filter(
      (r) => r.nomenclatureActivitePrincipaleEtablissement === "NAFRev2",
    )) {
      expect(naf.has(r.activitePrincipaleEtablissement!), r.activitePrincipaleEtablissement).toBe(
        true,
      );
    }
    for (const r of rows.filter((r) => r.etatAdministratifEtablissement === "A")) {
      expect(r.nomenclatureActivitePrincipaleEtablissement).toBe("NAFRev2");
    }
    for (const r of rows.filter((r) => r.dateCreationEtablissement !== "")) {
      expect(r.dateCreationEtablissement).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(
        r.dateDernierTraitementEtablissement!.slice(0, 10) >= r.dateCreationEtablissement!,
      ).toBe(true);
    }
    // Some fields need quoting; they round-trip.
    expect(text).toMatch(/,"[^"\n]*, [^"\n]*",/);
    expect(rows.some((r) => r.enseigne1Etablissement?.includes(","))).toBe(true);
  });

  it("is deterministic from the seed", () => {
    const a = generate(2_000, 7).text;
    expect(generate(2_000, 7).text).toBe(a);
    expect(generate(2_000, 8).text).not.toBe(a);
    // A longer file starts with the shorter one.
    expect(generate(3_000, 7).text.startsWith(a)).toBe(true);
  });
});

describe("generateStockEtablissement", () => {
  it("refuses impossible options and leaves no file behind", async () => {
    const p = path.join(dir, "bad.csv");
    for (const options of [
      { rows: -1 },
      { rows: 1.5 },
      { rows: 10, seed: 0.5 },
      { rows: 10, activeRate: 2 },
    ]) {
      await expect(generateStockEtablissement(p, options)).rejects.toBeInstanceOf(RangeError);
      await expect(readFile(p)).rejects.toMatchObject({ code: "ENOENT" });
    }
  });

  it("writes the same CSV to disk, plain or zipped as INSEE's download", async () => {
    const csv = path.join(dir, "stock.csv");
    const zip = path.join(dir, "stock.zip");
    const plain = await generateStockEtablissement(csv, { rows: 3_000, seed: 3 });
    const zipped = await generateStockEtablissement(zip, { rows: 3_000, seed: 3, zip: true });
    const { durationMs: _a, ...plainCounts } = plain;
    const { durationMs: _b, ...zippedCounts } = zipped;
    expect(zippedCounts).toEqual(plainCounts);
    const bytes = await readFile(csv);
    expect(bytes.length).toBe(plain.bytes);
    expect(bytes.toString("utf8")).toBe(generate(3_000, 3).text);

    const archive = await yauzl.openPromise(zip, { lazyEntries: true, autoClose: false });
    const entries = [];
    for await (const entry of archive.eachEntry()) entries.push(entry);
    expect(entries.map((e) => e.fileName)).toEqual([STOCK_ETABLISSEMENT_ENTRY]);
    const hash = createHash("sha256");
    for await (const chunk of await archive.openReadStreamPromise(entries[0]!))
      hash.update(chunk as Buffer);
    archive.close();
    expect(hash.digest("hex")).toBe(createHash("sha256").update(bytes).digest("hex"));
  });
});
