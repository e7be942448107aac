import { createRequire } from "node:module";
import { readRomeFile } from "../../reference/rome-files";
import type { ReferentialEntry } from "../offer";
import { WeightedPicker } from "./random";

/**
 * The real reference lists the simulated offers are drawn from: ROME métiers, NAF sous-classes,
 * communes (weighted by population) and départements. Loaded once, on first use.
 */
export interface Catalog {
  readonly romes: readonly ReferentialEntry[];
  /** NAF rev. 2 sous-classes ("47.11F") with their labels. */
  readonly nafs: readonly ReferentialEntry[];
  readonly communes: WeightedPicker<Commune>;
  /** Départements that have communes here (metropolitan France and overseas départements). */
  readonly departements: readonly Departement[];
  readonly departementByCode: ReadonlyMap<string, Departement>;
}

export interface Commune {
  readonly code: string;
  readonly nom: string;
  readonly departement: string;
  readonly codesPostaux: readonly string[];
  readonly population: number;
}

export interface Departement {
  readonly code: string;
  readonly libelle: string;
  readonly region: { readonly code: string; readonly libelle: string };
}

interface RawCommune {
  code: string;
  nom: string;
  type: string;
  zone?: string;
  departement?: string;
  codesPostaux?: string[];
  population?: number;
}

/** Communes whose offers are located in one of their arrondissements instead. */
const CITIES_WITH_ARRONDISSEMENTS = new Set(["75056", "69123", "13055"]);
const OFFER_ZONES = new Set(["metro", "drom"]);

let catalog: Catalog | undefined;

export function getCatalog(): Catalog {
  catalog ??= loadCatalog();
  return catalog;
}

function loadCatalog(): Catalog {
  const require = createRequire(import.meta.url);
  const rawCommunes = require("@etalab/decoupage-administratif/data/communes.json") as RawCommune[];
  const rawDepartements = require("@etalab/decoupage-administratif/data/departements.json") as {
    code: string;
    nom: string;
    region: string;
    zone: string;
  }[];
  const rawRegions = require("@etalab/decoupage-administratif/data/regions.json") as {
    code: string;
    nom: string;
  }[];
  const nafIndex = require("@socialgouv/codes-naf/index.json") as { id: string; label: string }[];

  const communes: Commune[] = [];
  for (const c of rawCommunes) {
    const located =
      (c.type === "commune-actuelle" && !CITIES_WITH_ARRONDISSEMENTS.has(c.code)) ||
      c.type === "arrondissement-municipal";
    if (!located || !OFFER_ZONES.has(c.zone ?? "metro") || !c.departement) continue;
    if (!c.population || c.population <= 0) continue;
    communes.push({
      code: c.code,
      nom: c.nom,
      departement: c.departement,
      codesPostaux: c.codesPostaux ?? [],
      population: c.population,
    });
  }
  const withCommunes = new Set(communes.map((c) => c.departement));
  const regionNames = new Map(rawRegions.map((r) => [r.code, r.nom]));
  const departements = rawDepartements
    .filter((d) => OFFER_ZONES.has(d.zone) && withCommunes.has(d.code))
    .map((d) => ({
      code: d.code,
      libelle: d.nom,
      region: { code: d.region, libelle: regionNames.get(d.region) ?? d.region },
    }));
  const nafs = nafIndex
    .filter((n) => /^\d\d\.\d\d[A-Z]$/.test(n.id))
    .map((n) => ({ code: n.id, libelle: n.label }));
  const romes = readRomeFile("metiers");
  if (romes.length === 0 || nafs.length === 0 || communes.length === 0) {
    throw new Error("simulator catalog: a reference list is empty");
  }
  return {
    romes,
    nafs,
    communes: new WeightedPicker(communes, (c) => c.population),
    departements,
    departementByCode: new Map(departements.map((d) => [d.code, d])),
  };
}
