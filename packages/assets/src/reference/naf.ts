import codesNaf from "@socialgouv/codes-naf";
import type { Warehouse } from "../warehouse/warehouse";
import { ReferenceDataError } from "./errors";
import { NAF_SECTIONS, sectionOfDivision } from "./naf-sections";
import { replaceTables, type LoadStats } from "./replace-tables";

/** The size of each level of the NAF rév. 2; a source of another size is refused. */
export const NAF_COUNTS = {
  sections: 21,
  divisions: 88,
  groupes: 272,
  classes: 615,
  sousClasses: 732,
} as const;

export interface NafEntry {
  readonly code: string;
  readonly libelle: string;
  /** The code of the level above (null for sections). */
  readonly parent: string | null;
}

/** The five levels of the NAF rév. 2, each entry linked to its parent. */
export interface Naf {
  readonly sections: readonly NafEntry[];
  readonly divisions: readonly NafEntry[];
  readonly groupes: readonly NafEntry[];
  readonly classes: readonly NafEntry[];
  readonly sousClasses: readonly NafEntry[];
}

export interface NafLoadStats extends LoadStats {
  readonly naf_sections: number;
  readonly naf_divisions: number;
  readonly naf_groupes: number;
  readonly naf_classes: number;
  readonly naf_sous_classes: number;
}

export const NAF_DDL = `
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.naf_sections (
  code text PRIMARY KEY,
  libelle text NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.naf_divisions (
  code text PRIMARY KEY,
  libelle text NOT NULL,
  section text NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.naf_groupes (
  code text PRIMARY KEY,
  libelle text NOT NULL,
  division text NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.naf_classes (
  code text PRIMARY KEY,
  libelle text NOT NULL,
  groupe text NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.naf_sous_classes (
  code text PRIMARY KEY,
  libelle text NOT NULL,
  classe text NOT NULL
);
`;

/** Codes of each level as the package writes them: "01", "01.1", "01.11", "01.11Z". */
const LEVELS = [
  { key: "divisions", pattern: /^\d{2}$/, parentLength: 0 },
  { key: "groupes", pattern: /^\d{2}\.\d$/, parentLength: 2 },
  { key: "classes", pattern: /^\d{2}\.\d{2}$/, parentLength: 4 },
  { key: "sousClasses", pattern: /^\d{2}\.\d{2}[A-Z]$/, parentLength: 5 },
] as const;

/**
 * Builds the NAF rév. 2 from `@socialgouv/codes-naf` (divisions to sous-classes) and the
 * sections shipped with this package, and checks it: every code once, every parent present,
 * every division in a section, and each level of its official size. Throws
 * `ReferenceDataError("UNEXPECTED_SHAPE")` otherwise, so that a new version of the package that
 * changes shape stops the load instead of loading something else.
 *
 * @example
 * readNaf().sousClasses.find((c) => c.code === "47.11F"); // { libelle: "Hypermarchés", parent: "47.11" }
 */
export function readNaf(source: readonly { id: string; label: string }[] = codesNaf): Naf {
  const levels = { divisions: [], groupes: [], classes: [], sousClasses: [] } as Record<
    (typeof LEVELS)[number]["key"],
    NafEntry[]
  >;
  const seen = new Set<string>();
  for (const { id, label } of source) {
    const level = LEVELS.find((l) => l.pattern.test(id));
    if (!level) throw shape(`unexpected NAF code "${id}"`);
    if (seen.has(id)) throw shape(`NAF code "${id}" appears twice`);
    seen.add(id);
    const parent =
      level.key === "divisions" ? sectionOfDivision(id) : id.slice(0, level.parentLength);
    if (parent === undefined) throw shape(`division "${id}" belongs to no NAF section`);
    if (level.key !== "divisions" && !seen.has(parent)) {
      // The package lists each code after its parent; a code whose parent is missing (or comes
      // later) means the file was reorganised.
      throw shape(`NAF code "${id}" comes before its parent "${parent}" or has none`);
    }
    levels[level.key].push({ code: id, libelle: normaliseLabel(label), parent });
  }
  const sections = NAF_SECTIONS.map((s) => ({ code: s.code, libelle: s.libelle, parent: null }));
  const naf: Naf = { sections, ...levels };
  for (const [key, expected] of Object.entries(NAF_COUNTS)) {
    const actual = naf[key as keyof Naf].length;
    if (actual !== expected) throw shape(`expected ${expected} NAF ${key}, found ${actual}`);
  }
  return naf;
}

/**
 * Replaces raw.naf_sections … raw.naf_sous_classes with the NAF rév. 2, in one transaction.
 *
 * @example
 * const stats = await loadNaf(warehouse); // { rows: 1728, naf_sous_classes: 732, … }
 */
export async function loadNaf(
  warehouse: Warehouse,
  options: { naf?: Naf; signal?: AbortSignal } = {},
): Promise<NafLoadStats> {
  const started = performance.now();
  const naf = options.naf ?? readNaf();
  await warehouse.ensure(NAF_DDL);
  const withParent = (entries: readonly NafEntry[]) =>
    entries.map((e) => [e.code, e.libelle, e.parent]);
  const result = await replaceTables(
    warehouse,
    [
      {
        table: "raw.naf_sections",
        columns: ["code", "libelle"],
        rows: naf.sections.map((e) => [e.code, e.libelle]),
      },
      {
        table: "raw.naf_divisions",
        columns: ["code", "libelle", "section"],
        rows: withParent(naf.divisions),
      },
      {
        table: "raw.naf_groupes",
        columns: ["code", "libelle", "division"],
        rows: withParent(naf.groupes),
      },
      {
        table: "raw.naf_classes",
        columns: ["code", "libelle", "groupe"],
        rows: withParent(naf.classes),
      },
      {
        table: "raw.naf_sous_classes",
        columns: ["code", "libelle", "classe"],
        rows: withParent(naf.sousClasses),
      },
    ],
    options,
  );
  return {
    rows: result.rows,
    bytes: result.bytes,
    durationMs: Math.round(performance.now() - started),
    naf_sections: result.tables.naf_sections ?? 0,
    naf_divisions: result.tables.naf_divisions ?? 0,
    naf_groupes: result.tables.naf_groupes ?? 0,
    naf_classes: result.tables.naf_classes ?? 0,
    naf_sous_classes: result.tables.naf_sous_classes ?? 0,
  };
}

/** The package mixes typographic and straight apostrophes; keep the straight one throughout. */
function normaliseLabel(label: string): string {
  return label.replace(/\u2019/g, "'").trim();
}

function shape(message: string): ReferenceDataError {
  return new ReferenceDataError("UNEXPECTED_SHAPE", `@socialgouv/codes-naf: ${message}`);
}
