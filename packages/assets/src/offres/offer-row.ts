import path from "node:path";
import { copyValue } from "../warehouse/copy-text";
import { OffresLoadError } from "./errors";

/**
 * The fields of an offer extracted once, at load, into columns of `raw.offres` next to the
 * original JSON: `column` ← the value at `path` in the offer. Each column holds what
 * PostgreSQL's `->>` gives for that path (text; NULL when missing or null), so the models read
 * columns and cast them exactly as they used to cast `data ->> '…'`, without parsing the JSON
 * again.
 */
export const OFFER_FIELDS: readonly {
  readonly column: string;
  readonly path: readonly string[];
}[] = [
  { column: "date_creation", path: ["dateCreation"] },
  { column: "date_actualisation", path: ["dateActualisation"] },
  { column: "intitule", path: ["intitule"] },
  { column: "rome_code", path: ["romeCode"] },
  { column: "rome_libelle", path: ["romeLibelle"] },
  { column: "appellation_libelle", path: ["appellationlibelle"] },
  { column: "code_naf", path: ["codeNAF"] },
  { column: "secteur_activite_libelle", path: ["secteurActiviteLibelle"] },
  { column: "lieu_travail", path: ["lieuTravail", "libelle"] },
  { column: "code_commune", path: ["lieuTravail", "commune"] },
  { column: "code_postal", path: ["lieuTravail", "codePostal"] },
  { column: "latitude", path: ["lieuTravail", "latitude"] },
  { column: "longitude", path: ["lieuTravail", "longitude"] },
  { column: "type_contrat", path: ["typeContrat"] },
  { column: "type_contrat_libelle", path: ["typeContratLibelle"] },
  { column: "nature_contrat", path: ["natureContrat"] },
  { column: "alternance", path: ["alternance"] },
  { column: "experience_exige", path: ["experienceExige"] },
  { column: "experience_libelle", path: ["experienceLibelle"] },
  { column: "qualification_code", path: ["qualificationCode"] },
  { column: "qualification_libelle", path: ["qualificationLibelle"] },
  { column: "duree_travail", path: ["dureeTravailLibelleConverti"] },
  { column: "nombre_postes", path: ["nombrePostes"] },
  { column: "entreprise_nom", path: ["entreprise", "nom"] },
  { column: "tranche_effectif_etablissement", path: ["trancheEffectifEtab"] },
  { column: "salaire_libelle", path: ["salaire", "libelle"] },
];

/** The columns of `raw.offres` a load writes, in the order of `offerCopyRow`'s fields. */
export const OFFRES_COPY_COLUMNS: readonly string[] = [
  "jour",
  "id",
  "data",
  ...OFFER_FIELDS.map((f) => f.column),
];

/**
 * One offer (one NDJSON line, not blank) as a COPY text row of `raw.offres` for `day`, ending
 * with a newline: the day, the id, the line itself (the original JSON, unchanged) and the
 * fields of `OFFER_FIELDS`. A line that is not a JSON object with a string `id` is a
 * MALFORMED_LINE error naming `source` (a file: by its base name) and `number`.
 */
export function offerCopyRow(day: string, text: string, source: string, number: number): string {
  const offer = parseOffer(text, source, number);
  let row = `${day}\t${copyValue(offer.id as string)}\t${copyJsonLine(text)}`;
  for (const field of OFFER_FIELDS) row += `\t${fieldText(offer, field.path)}`;
  return `${row}\n`;
}

/**
 * `copyValue` for a JSON document, faster on long ones: JSON's escapes make backslashes common,
 * while a tab, a newline or a carriage return can only be whitespace between tokens (rare).
 */
function copyJsonLine(text: string): string {
  const escaped = text.includes("\\") ? text.replaceAll("\\", "\\\\") : text;
  return escaped.includes("\t") || escaped.includes("\n") || escaped.includes("\r")
    ? escaped.replaceAll("\t", "\\t").replaceAll("\n", "\\n").replaceAll("\r", "\\r")
    : escaped;
}

function parseOffer(text: string, source: string, number: number): Record<string, unknown> {
  const malformed = (why: string, cause?: unknown): OffresLoadError =>
    new OffresLoadError(
      "MALFORMED_LINE",
      `${path.basename(source)} line ${number}: ${why} (starts with ${JSON.stringify(text.slice(0, 40))})`,
      source,
      number,
      cause === undefined ? undefined : { cause },
    );
  let offer: unknown;
  try {
    offer = JSON.parse(text);
  } catch (error) {
    throw malformed(`invalid JSON, ${(error as Error).message}`, error);
  }
  if (typeof offer !== "object" || offer === null || Array.isArray(offer))
    throw malformed('not a JSON offer with an "id"');
  const id = (offer as { id?: unknown }).id;
  if (typeof id !== "string") throw malformed('not a JSON offer with an "id"');
  return offer as Record<string, unknown>;
}

/**
 * The value at `path` as COPY text, as `->>` renders it: strings as they are, booleans as
 * `true`/`false`, `\N` when missing or null (or under a value that is not an object). Two
 * renderings may differ in form, not in value: numbers in JavaScript's shortest form (`1.50` →
 * `1.5`, the same number once cast), objects and arrays as compact JSON (jsonb adds spaces).
 */
function fieldText(offer: Record<string, unknown>, path: readonly string[]): string {
  let value: unknown = offer;
  for (const key of path) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return "\\N";
    value = (value as Record<string, unknown>)[key];
  }
  if (value === undefined || value === null) return "\\N";
  if (typeof value === "string") return copyValue(value);
  if (typeof value === "object") return copyValue(JSON.stringify(value));
  return String(value as number | boolean);
}
