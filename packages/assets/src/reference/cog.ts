import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Warehouse } from "../warehouse/warehouse";
import { ReferenceDataError } from "./errors";
import { replaceTables, type LoadStats } from "./replace-tables";

/** Where a territory lies: mainland, overseas département-région, or other overseas collectivity. */
export type CogZone = "metro" | "drom" | "com";

export interface CogRegion {
  readonly code: string;
  readonly nom: string;
  readonly chefLieu: string;
  readonly zone: CogZone;
}

export interface CogDepartement {
  readonly code: string;
  readonly nom: string;
  readonly region: string;
  readonly chefLieu: string;
  readonly zone: CogZone;
}

export type CogCommuneType = "commune-actuelle" | "arrondissement-municipal";

export interface CogCommune {
  readonly code: string;
  readonly nom: string;
  readonly type: CogCommuneType;
  readonly departement: string;
  readonly region: string;
  /** For an arrondissement municipal, its commune (75056 for Paris 1er); null otherwise. */
  readonly communeParente: string | null;
  /** Null for the few communes La Poste serves with none (the TAAF districts). */
  readonly codesPostaux: readonly string[] | null;
  readonly population: number | null;
}

/** The Code officiel géographique as @etalab/decoupage-administratif publishes it. */
export interface Cog {
  readonly regions: readonly CogRegion[];
  readonly departements: readonly CogDepartement[];
  /** Communes actuelles and the arrondissements municipaux of Paris, Lyon and Marseille. */
  readonly communes: readonly CogCommune[];
}

export interface CogLoadStats extends LoadStats {
  readonly cog_regions: number;
  readonly cog_departements: number;
  readonly cog_communes: number;
  /** Of cog_communes, the communes actuelles… */
  readonly communes_actuelles: number;
  /** …and the arrondissements municipaux. */
  readonly arrondissements_municipaux: number;
}

/** Paris 20 + Marseille 16 + Lyon 9: fixed by law, so any other number means a new shape. */
export const ARRONDISSEMENTS_MUNICIPAUX = 45;

export const COG_DDL = `
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.cog_regions (
  code text PRIMARY KEY,
  nom text NOT NULL,
  chef_lieu text NOT NULL,
  zone text NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.cog_departements (
  code text PRIMARY KEY,
  nom text NOT NULL,
  region text NOT NULL,
  chef_lieu text NOT NULL,
  zone text NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.cog_communes (
  code text PRIMARY KEY,
  nom text NOT NULL,
  type text NOT NULL,
  departement text NOT NULL,
  region text NOT NULL,
  commune_parente text,
  codes_postaux text[],
  population integer
);
`;

const ZONES: ReadonlySet<string> = new Set(["metro", "drom", "com"]);
const POSTCODE = /^\d{5}$/;

/**
 * Reads régions, départements, communes actuelles and arrondissements municipaux from
 * `@etalab/decoupage-administratif` (communes déléguées and associées are left out: they share
 * codes with communes actuelles and are not places an offer or an establishment is located
 * in). Every territory is kept, overseas collectivities included, each with its `zone`, so
 * that later models choose what to keep. Throws `ReferenceDataError("UNEXPECTED_SHAPE")` when
 * a record lacks a field or names a parent that does not exist.
 *
 * @example
 * readCog().communes.filter((c) => c.type === "arrondissement-municipal").length; // 45
 */
export function readCog(): Cog {
  const regions = readPackageFile("regions").map((r): CogRegion => ({
    code: text(r, "code"),
    nom: text(r, "nom"),
    chefLieu: text(r, "chefLieu"),
    zone: zone(r),
  }));
  const regionCodes = new Set(regions.map((r) => r.code));
  const departements = readPackageFile("departements").map((d): CogDepartement => {
    const region = text(d, "region");
    if (!regionCodes.has(region))
      throw shape(`département ${text(d, "code")}: no région ${region}`);
    return {
      code: text(d, "code"),
      nom: text(d, "nom"),
      region,
      chefLieu: text(d, "chefLieu"),
      zone: zone(d),
    };
  });
  const departementCodes = new Set(departements.map((d) => d.code));
  const communes: CogCommune[] = [];
  for (const c of readPackageFile("communes")) {
    const type = text(c, "type");
    if (type !== "commune-actuelle" && type !== "arrondissement-municipal") continue;
    const code = text(c, "code");
    const departement = text(c, "departement");
    if (!departementCodes.has(departement))
      throw shape(`commune ${code}: no département ${departement}`);
    communes.push({
      code,
      nom: text(c, "nom"),
      type,
      departement,
      region: text(c, "region"),
      communeParente: type === "arrondissement-municipal" ? text(c, "commune") : null,
      codesPostaux: postcodes(c, code),
      population: population(c, code),
    });
  }
  const actuelles = new Set(
    communes.filter((c) => c.type === "commune-actuelle").map((c) => c.code),
  );
  const arrondissements = communes.filter((c) => c.type === "arrondissement-municipal");
  for (const a of arrondissements) {
    if (!actuelles.has(a.communeParente ?? "")) {
      throw shape(`arrondissement ${a.code}: no commune ${a.communeParente}`);
    }
  }
  if (arrondissements.length !== ARRONDISSEMENTS_MUNICIPAUX) {
    throw shape(
      `expected ${ARRONDISSEMENTS_MUNICIPAUX} arrondissements municipaux, found ${arrondissements.length}`,
    );
  }
  return { regions, departements, communes };
}

/**
 * Replaces raw.cog_regions, raw.cog_departements and raw.cog_communes, in one transaction.
 *
 * @example
 * const stats = await loadCog(warehouse); // { cog_communes: 35014, arrondissements_municipaux: 45, … }
 */
export async function loadCog(
  warehouse: Warehouse,
  options: { cog?: Cog; signal?: AbortSignal } = {},
): Promise<CogLoadStats> {
  const started = performance.now();
  const cog = options.cog ?? readCog();
  await warehouse.ensure(COG_DDL);
  const result = await replaceTables(
    warehouse,
    [
      {
        table: "raw.cog_regions",
        columns: ["code", "nom", "chef_lieu", "zone"],
        rows: cog.regions.map((r) => [r.code, r.nom, r.chefLieu, r.zone]),
      },
      {
        table: "raw.cog_departements",
        columns: ["code", "nom", "region", "chef_lieu", "zone"],
        rows: cog.departements.map((d) => [d.code, d.nom, d.region, d.chefLieu, d.zone]),
      },
      {
        table: "raw.cog_communes",
        columns: [
          "code",
          "nom",
          "type",
          "departement",
          "region",
          "commune_parente",
          "codes_postaux",
          "population",
        ],
        rows: cog.communes.map((c) => [
          c.code,
          c.nom,
          c.type,
          c.departement,
          c.region,
          c.communeParente,
          // An array literal; postcodes are checked to be five digits, so nothing to quote.
          c.codesPostaux === null ? null : `{${c.codesPostaux.join(",")}}`,
          c.population,
        ]),
      },
    ],
    options,
  );
  const arrondissements = cog.communes.filter((c) => c.type === "arrondissement-municipal").length;
  return {
    rows: result.rows,
    bytes: result.bytes,
    durationMs: Math.round(performance.now() - started),
    cog_regions: result.tables.cog_regions ?? 0,
    cog_departements: result.tables.cog_departements ?? 0,
    cog_communes: result.tables.cog_communes ?? 0,
    communes_actuelles: cog.communes.length - arrondissements,
    arrondissements_municipaux: arrondissements,
  };
}

type PackageRecord = Readonly<Record<string, unknown>>;

const packageRequire = createRequire(import.meta.url);

/**
 * Reads one of the package's JSON files. Read at call time, not imported: the communes file is
 * ~10 MB, which should cost nothing to a process that never loads the COG.
 */
function readPackageFile(name: "regions" | "departements" | "communes"): PackageRecord[] {
  const path = packageRequire.resolve(`@etalab/decoupage-administratif/data/${name}.json`);
  const data: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(data)) throw shape(`${name}.json is not an array`);
  return data as PackageRecord[];
}

function text(record: PackageRecord, field: string): string {
  const value = record[field];
  if (typeof value !== "string" || value.length === 0) {
    throw shape(`${JSON.stringify(record).slice(0, 120)}: no "${field}"`);
  }
  return value;
}

function zone(record: PackageRecord): CogZone {
  const value = text(record, "zone");
  if (!ZONES.has(value)) throw shape(`${text(record, "code")}: unknown zone "${value}"`);
  return value as CogZone;
}

function postcodes(record: PackageRecord, code: string): string[] | null {
  const value = record.codesPostaux;
  if (value === undefined) return null;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && POSTCODE.test(v))) {
    throw shape(`commune ${code}: codesPostaux is not a list of five-digit codes`);
  }
  return value as string[];
}

function population(record: PackageRecord, code: string): number | null {
  const value = record.population;
  if (value === undefined) return null;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw shape(`commune ${code}: population ${JSON.stringify(value)} is not a count`);
  }
  return value;
}

function shape(message: string): ReferenceDataError {
  return new ReferenceDataError("UNEXPECTED_SHAPE", `@etalab/decoupage-administratif: ${message}`);
}
