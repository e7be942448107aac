import type { Warehouse } from "../warehouse/warehouse";
import { ReferenceDataError } from "./errors";
import { replaceTables, type LoadStats } from "./replace-tables";
import { readRomeFile, type CodeLabel } from "./rome-files";

/** The three levels of the ROME v3, as lists of `{ code, libelle }`. */
export interface RomeLists {
  /** "A" … "N". */
  readonly grandsDomaines: readonly CodeLabel[];
  /** A letter and two digits ("A11"); the letter is the grand domaine. */
  readonly domainesProfessionnels: readonly CodeLabel[];
  /** A letter and four digits ("A1101"); the first three characters are the domaine. */
  readonly metiers: readonly CodeLabel[];
}

/** The size of each level in the files shipped with this package (ROME v3). */
export const ROME_COUNTS = {
  grandsDomaines: 14,
  domainesProfessionnels: 110,
  metiers: 532,
} as const;

export interface RomeLoadStats extends LoadStats {
  readonly rome_grands_domaines: number;
  readonly rome_domaines_professionnels: number;
  readonly rome_metiers: number;
}

export const ROME_DDL = `
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.rome_grands_domaines (
  code text PRIMARY KEY,
  libelle text NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.rome_domaines_professionnels (
  code text PRIMARY KEY,
  libelle text NOT NULL,
  grand_domaine text NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.rome_metiers (
  code text PRIMARY KEY,
  libelle text NOT NULL,
  domaine_professionnel text NOT NULL
);
`;

/**
 * The ROME v3 lists shipped under `data/rome` (see its SOURCES.md), checked and of their
 * known sizes.
 *
 * @example
 * await loadRome(warehouse, readShippedRome());
 */
export function readShippedRome(): RomeLists {
  const lists: RomeLists = {
    grandsDomaines: readRomeFile("grands_domaines"),
    domainesProfessionnels: readRomeFile("domaines_professionnels"),
    metiers: readRomeFile("metiers"),
  };
  checkRome(lists);
  for (const [key, expected] of Object.entries(ROME_COUNTS)) {
    const actual = lists[key as keyof RomeLists].length;
    if (actual !== expected) {
      throw new ReferenceDataError(
        "UNEXPECTED_SHAPE",
        `data/rome: expected ${expected} ${key}, found ${actual}`,
      );
    }
  }
  return lists;
}

/**
 * Checks that three ROME lists fit together: codes of the right form, each once, and every
 * domaine and métier under a parent present in the level above. Sizes are not fixed, so lists
 * fetched from the France Travail ROME API (`/granddomaine`, `/domaineprofessionnel`,
 * `/metier`, which return the same `{ code, libelle }` objects) pass as well as the shipped
 * files. Throws `ReferenceDataError("INVALID_INPUT")` naming the first problem.
 */
export function checkRome(lists: RomeLists): void {
  const grands = codes("grand domaine", lists.grandsDomaines, /^[A-N]$/);
  const domaines = codes("domaine professionnel", lists.domainesProfessionnels, /^[A-N]\d{2}$/);
  codes("métier", lists.metiers, /^[A-N]\d{4}$/);
  for (const d of lists.domainesProfessionnels) {
    if (!grands.has(d.code.slice(0, 1))) {
      throw invalid(`domaine professionnel ${d.code} has no grand domaine ${d.code.slice(0, 1)}`);
    }
  }
  for (const m of lists.metiers) {
    if (!domaines.has(m.code.slice(0, 3))) {
      throw invalid(`métier ${m.code} has no domaine professionnel ${m.code.slice(0, 3)}`);
    }
  }
}

/**
 * Replaces raw.rome_grands_domaines, raw.rome_domaines_professionnels and raw.rome_metiers with
 * `lists`, in one transaction, after `checkRome`.
 *
 * @example
 * await loadRome(warehouse, readShippedRome()); // { rome_metiers: 532, … }
 * await loadRome(warehouse, { grandsDomaines, domainesProfessionnels, metiers }); // from the API
 */
export async function loadRome(
  warehouse: Warehouse,
  lists: RomeLists,
  options: { signal?: AbortSignal } = {},
): Promise<RomeLoadStats> {
  const started = performance.now();
  checkRome(lists);
  await warehouse.ensure(ROME_DDL);
  const result = await replaceTables(
    warehouse,
    [
      {
        table: "raw.rome_grands_domaines",
        columns: ["code", "libelle"],
        rows: lists.grandsDomaines.map((g) => [g.code, g.libelle]),
      },
      {
        table: "raw.rome_domaines_professionnels",
        columns: ["code", "libelle", "grand_domaine"],
        rows: lists.domainesProfessionnels.map((d) => [d.code, d.libelle, d.code.slice(0, 1)]),
      },
      {
        table: "raw.rome_metiers",
        columns: ["code", "libelle", "domaine_professionnel"],
        rows: lists.metiers.map((m) => [m.code, m.libelle, m.code.slice(0, 3)]),
      },
    ],
    options,
  );
  return {
    rows: result.rows,
    bytes: result.bytes,
    durationMs: Math.round(performance.now() - started),
    rome_grands_domaines: result.tables.rome_grands_domaines ?? 0,
    rome_domaines_professionnels: result.tables.rome_domaines_professionnels ?? 0,
    rome_metiers: result.tables.rome_metiers ?? 0,
  };
}

/** The codes of one level, after checking their form and that none repeats. */
function codes(what: string, list: readonly CodeLabel[], pattern: RegExp): Set<string> {
  if (list.length === 0) throw invalid(`no ${what}`);
  const seen = new Set<string>();
  for (const { code, libelle } of list) {
    // Lists may come from an API: check the types too, not only what the compiler was told.
    if (typeof code !== "string" || !pattern.test(code)) {
      throw invalid(`${what} code ${JSON.stringify(code)} is not of the form ${pattern}`);
    }
    if (seen.has(code)) throw invalid(`${what} ${code} appears twice`);
    if (typeof libelle !== "string" || libelle.trim().length === 0) {
      throw invalid(`${what} ${code} has no libelle`);
    }
    seen.add(code);
  }
  return seen;
}

function invalid(message: string): ReferenceDataError {
  return new ReferenceDataError("INVALID_INPUT", `ROME: ${message}`);
}
