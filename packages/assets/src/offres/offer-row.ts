import path from "node:path";
import type { BinaryCopyRows } from "../warehouse/copy-binary";
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

/** The columns of `raw.offres` a load writes, in the order of `writeOfferRow`'s fields. */
export const OFFRES_COPY_COLUMNS: readonly string[] = [
  "jour",
  "id",
  "data",
  ...OFFER_FIELDS.map((f) => f.column),
];

/**
 * Writes one offer (one NDJSON line, not blank) as a binary COPY row of `raw.offres` for `day`:
 * the day, the id, the line itself (the original JSON, unchanged) and the fields of
 * `OFFER_FIELDS`. A line that is not a JSON object with a string `id` is a MALFORMED_LINE error
 * naming `source` (a file: by its base name) and `number`, and writes nothing.
 */
export function writeOfferRow(
  rows: BinaryCopyRows,
  day: string,
  text: string,
  source: string,
  number: number,
): void {
  const offer = parseOffer(text, source, number);
  rows
    .startRow(OFFRES_COPY_COLUMNS.length)
    .date(day)
    .text(offer.id as string)
    .text(text);
  for (const field of OFFER_FIELDS) rows.text(fieldValue(offer, field.path));
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
 * The value at `path` as `->>` renders it: strings as they are, booleans as `true`/`false`,
 * null when missing or null (or under a value that is not an object). Two renderings may differ
 * in form, not in value: numbers in JavaScript's shortest form (`1.50` → `1.5`, the same number
 * once cast), objects and arrays as compact JSON (jsonb adds spaces).
 */
function fieldValue(offer: Record<string, unknown>, path: readonly string[]): string | null {
  let value: unknown = offer;
  for (const key of path) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
    value = (value as Record<string, unknown>)[key];
  }
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value as number | boolean);
}
