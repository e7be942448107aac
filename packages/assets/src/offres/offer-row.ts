import path from "node:path";
import type { CreationTally } from "../quality/date-creation-in-day";
import type { BinaryCopyRows } from "../warehouse/copy-binary";
import { OffresLoadError } from "./errors";
import type { NumberedBytes, NumberedLine } from "./ndjson-lines";

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

/** The field `date_creation_in_day` checks (see `CreationTally`). */
const CREATION_FIELD = OFFER_FIELDS[0]!;

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
 * naming `source` (a file: by its base name) and the line's number, and writes nothing.
 *
 * A line read from a file comes as its bytes, which go to PostgreSQL as they are. To find its
 * fields, it is read as Latin-1 (one character per byte, several times cheaper than decoding
 * UTF-8): JSON's syntax is ASCII, so the parse is the same, and each field's characters are
 * its UTF-8 bytes, written back as they were. A line with a `\u` escape is decoded as UTF-8
 * instead, since an escape gives a character, not bytes.
 *
 * `tally` is given the offer's id and the `date_creation` written.
 */
export function writeOfferRow(
  rows: BinaryCopyRows,
  day: string,
  line: NumberedLine | NumberedBytes,
  source: string,
  tally: CreationTally,
): void {
  // No function is made per line (a closure per line cost a first build 0.3 s of CPU).
  if ("text" in line) {
    const offer = parseOffer(line.text, source, line.number, line.text);
    writeRow(rows, day, offer, line.text, false, tally);
    return;
  }
  const latin1 = line.bytes.toString("latin1");
  if (latin1.includes("\\u")) {
    const text = line.bytes.toString("utf8");
    const offer = parseOffer(text, source, line.number, text);
    writeRow(rows, day, offer, line.bytes, false, tally);
    return;
  }
  const offer = parseOffer(latin1, source, line.number, line.bytes);
  writeRow(rows, day, offer, line.bytes, true, tally);
}

/** `latin1`: the offer's strings are its bytes read as Latin-1 (see `writeOfferRow`). */
function writeRow(
  rows: BinaryCopyRows,
  day: string,
  offer: Record<string, unknown>,
  original: string | Buffer,
  latin1: boolean,
  tally: CreationTally,
): void {
  rows.startRow(OFFRES_COPY_COLUMNS.length).date(day);
  if (latin1) rows.latin1(offer.id as string);
  else rows.text(offer.id as string);
  if (typeof original === "string") rows.text(original);
  else rows.utf8(original);
  for (const f of OFFER_FIELDS) {
    const value = fieldValue(offer, f.path);
    if (latin1) rows.latin1(value);
    else rows.text(value);
    if (f === CREATION_FIELD) tally.add(offer.id as string, value, latin1);
  }
}

/** Whether a line holds nothing but white space (as `String#trim` sees it). */
export function isBlankLine(line: NumberedLine | NumberedBytes): boolean {
  if ("text" in line) return line.text.trim().length === 0;
  // What `trim` removes is ASCII whitespace (tab to carriage return, space) or beyond ASCII
  // (a no-break space, a BOM…): a line with any other ASCII byte (nearly every line starts
  // with `{`) is not blank; any other is decoded and trimmed, as a line of text is.
  for (const byte of line.bytes)
    if (byte < 0x80 && byte !== 0x20 && (byte < 0x09 || byte > 0x0d)) return false;
  return line.bytes.toString("utf8").trim().length === 0;
}

/** `shown`: the line as a reader sees it, for error messages (its bytes decoded only then). */
function parseOffer(
  text: string,
  source: string,
  number: number,
  shown: string | Buffer,
): Record<string, unknown> {
  let offer: unknown;
  try {
    offer = JSON.parse(text);
  } catch (error) {
    // JSON.parse's message quotes the text it read: the line as decoded, not its bytes.
    const reason = typeof shown === "string" ? error : parseError(shown.toString("utf8"));
    throw malformedLine(`invalid JSON, ${(reason as Error).message}`, source, number, shown, error);
  }
  if (
    typeof offer !== "object" ||
    offer === null ||
    Array.isArray(offer) ||
    typeof (offer as { id?: unknown }).id !== "string"
  )
    throw malformedLine('not a JSON offer with an "id"', source, number, shown);
  return offer as Record<string, unknown>;
}

function malformedLine(
  why: string,
  source: string,
  number: number,
  shown: string | Buffer,
  cause?: unknown,
): OffresLoadError {
  const text = typeof shown === "string" ? shown : shown.toString("utf8");
  return new OffresLoadError(
    "MALFORMED_LINE",
    `${path.basename(source)} line ${number}: ${why} (starts with ${JSON.stringify(text.slice(0, 40))})`,
    source,
    number,
    cause === undefined ? undefined : { cause },
  );
}

/** The error JSON.parse throws for `text`. */
function parseError(text: string): unknown {
  try {
    JSON.parse(text);
  } catch (error) {
    return error;
  }
  return new SyntaxError("not valid JSON");
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
