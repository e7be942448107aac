import { isUtf8 } from "node:buffer";
import { CopyBytes } from "../warehouse/copy-bytes";
import { SIRENE_COLUMNS } from "./columns";
import { FieldPicker } from "./csv-fields";
import { CsvScanner, type CsvVisitor } from "./csv-records";
import { SireneLoadError } from "./errors";

/**
 * How many of the latest COPY lines keep their file line, to name the line of a row PostgreSQL
 * rejects: it reports the COPY line, and by then the loader has sent at most a few megabytes
 * more (a ring of 131,072 lines, 512 KiB, whatever the file's size).
 */
const LINE_MAP_SIZE = 1 << 17;
/** Offsets of the digits in yyyy-mm-dd. */
const DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9];
const DASH = 45;
const ZERO = 48;
const A = 65;
const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Index of the siret among the picked fields. */
const SIRET = SIRENE_COLUMNS.findIndex((c) => c.column === "siret");

/**
 * Turns the bytes of a `StockEtablissement` CSV file, chunk after chunk, into COPY text rows of
 * raw.sirene_etablissements for its active establishments (etatAdministratif 'A'), validated:
 * every record has the header's number of fields, siret and siren are filled in, dates and
 * booleans are well-formed. Each chunk is read synchronously and gives one COPY chunk; only the
 * fields the table needs are copied, straight from the file's bytes. Throws `SireneLoadError`
 * (file and line) or `CsvSyntaxError`.
 *
 * @example
 * const rows = new ActiveRows("stock.csv");
 * for await (const chunk of stream) { const copy = rows.write(chunk); if (copy) yield copy; }
 * const last = rows.end();
 */
export class ActiveRows implements CsvVisitor {
  /** Data records read, active or not. */
  rowsRead = 0;
  private readonly scanner = new CsvScanner();
  private readonly out = new CopyBytes();
  private layout: Layout | undefined;
  /** copyLines[n % size] = file line of COPY line n + 1. */
  private readonly copyLines = new Uint32Array(LINE_MAP_SIZE);
  private copied = 0;
  /** With `find`: the file lines of the active establishments with that siret. */
  readonly found: number[] = [];
  private readonly find: Buffer | undefined;

  /**
   * `find`: a siret to look for instead of writing rows (the lines of a siret the table
   * refused as listed twice).
   */
  constructor(
    private readonly file: string,
    private readonly signal?: AbortSignal,
    find?: string,
  ) {
    this.find = find === undefined ? undefined : Buffer.from(find, "utf8");
  }

  /** The COPY text of the records `chunk` completes, if any. */
  write(chunk: Buffer): Buffer | undefined {
    this.scanner.write(chunk, this);
    return this.take();
  }

  /** The COPY text of the last record, if any; throws for a file without a header. */
  end(): Buffer | undefined {
    this.scanner.end(this);
    if (this.layout === undefined) {
      throw new SireneLoadError("MALFORMED_CSV", "empty file, no header", { file: this.file });
    }
    return this.take();
  }

  /** The file line of a COPY line (1 = the first), while it is among the latest ones. */
  fileLine(copyLine: number): number | undefined {
    return copyLine > this.copied || this.copied - copyLine >= LINE_MAP_SIZE
      ? undefined
      : this.copyLines[(copyLine - 1) % LINE_MAP_SIZE];
  }

  /** For the scanner: a record without quotes, the header first. */
  plain(bytes: Buffer, start: number, end: number, line: number): void {
    if (this.layout === undefined) {
      this.layout = header(bytes.toString("utf8", start, end).split(","), this.file, line);
    } else {
      this.layout.picker.plain(bytes, start, end);
      this.record(this.layout, line);
    }
  }

  /** For the scanner: a record with quotes, the header first. */
  quoted(fields: string[], line: number): void {
    if (this.layout === undefined) {
      this.layout = header(fields, this.file, line);
    } else {
      this.layout.picker.fields(fields);
      this.record(this.layout, line);
    }
  }

  private record(layout: Layout, line: number): void {
    const { picker } = layout;
    if (picker.count !== layout.width) {
      throw new SireneLoadError(
        "MALFORMED_CSV",
        `expected ${layout.width} fields as in the header, found ${picker.count}`,
        { file: this.file, line },
      );
    }
    this.rowsRead++;
    if ((this.rowsRead & 0xffff) === 0) this.signal?.throwIfAborted();
    const etat = layout.etat;
    const start = picker.starts[etat]!;
    if (picker.ends[etat]! - start !== 1 || picker.bytes[start] !== A) return;
    if (this.find !== undefined) {
      if (equals(picker.bytes, picker.starts[SIRET]!, picker.ends[SIRET]!, this.find))
        this.found.push(line);
      return;
    }
    this.copyLines[this.copied++ % LINE_MAP_SIZE] = line;
    writeCopyLine(this.out, picker, this.file, line);
  }

  /**
   * The COPY text written so far. Bytes that are not UTF-8 become U+FFFD, as when decoding the
   * file: the rows hold whole fields, and no such sequence spans a tab or a line end.
   */
  private take(): Buffer | undefined {
    const copy = this.out.take();
    return copy === undefined || isUtf8(copy) ? copy : Buffer.from(copy.toString("utf8"), "utf8");
  }
}

/** What the header says: where the needed fields are, and how many fields a record has. */
interface Layout {
  readonly picker: FieldPicker;
  readonly width: number;
  /** Index among the picked fields of etatAdministratifEtablissement. */
  readonly etat: number;
}

function header(fields: readonly string[], file: string, line: number): Layout {
  const index = new Map(fields.map((h, i) => [h.trim(), i]));
  const missing = SIRENE_COLUMNS.filter((c) => !index.has(c.source)).map((c) => c.source);
  if (missing.length > 0) {
    throw new SireneLoadError(
      "MISSING_COLUMN",
      `the header lacks ${missing.join(", ")} (is this a StockEtablissement file?)`,
      { file, line },
    );
  }
  return {
    picker: new FieldPicker(SIRENE_COLUMNS.map((c) => index.get(c.source) as number)),
    width: fields.length,
    etat: SIRENE_COLUMNS.findIndex((c) => c.source === "etatAdministratifEtablissement"),
  };
}

/**
 * Writes one COPY text line from the picked fields, as bytes; empty fields become NULL, as they
 * mean "not filled in" in SIRENE.
 */
function writeCopyLine(out: CopyBytes, picker: FieldPicker, file: string, line: number): void {
  const { bytes, starts, ends } = picker;
  let size = 0;
  for (let i = 0; i < SIRENE_COLUMNS.length; i++) size += ends[i]! - starts[i]!;
  out.reserve(CopyBytes.bound(size, SIRENE_COLUMNS.length));
  for (let i = 0; i < SIRENE_COLUMNS.length; i++) {
    const column = SIRENE_COLUMNS[i]!;
    const start = starts[i]!;
    const end = ends[i]!;
    if (i > 0) out.tab();
    if (start === end) {
      if (column.column === "siret" || column.column === "siren") {
        throw invalid(`${column.source} is empty`, file, line);
      }
      out.nul();
    } else if (column.type === "date") {
      if (!isDate(bytes, start, end)) {
        throw invalid(`${column.source} "${picker.text(i)}" is not a date`, file, line);
      }
      out.verbatim(bytes, start, end);
    } else if (column.type === "boolean") {
      if (!equals(bytes, start, end, TRUE) && !equals(bytes, start, end, FALSE)) {
        throw invalid(`${column.source} "${picker.text(i)}" is not true or false`, file, line);
      }
      out.verbatim(bytes, start, end);
    } else {
      out.value(bytes, start, end);
    }
  }
  out.newline();
}

function invalid(message: string, file: string, line: number): SireneLoadError {
  return new SireneLoadError("INVALID_VALUE", message, { file, line });
}

/** A yyyy-mm-dd date that exists (February 29 is accepted every year; PostgreSQL has the last word). */
function isDate(bytes: Buffer, start: number, end: number): boolean {
  if (end - start !== 10 || bytes[start + 4] !== DASH || bytes[start + 7] !== DASH) return false;
  for (const at of DATE_DIGITS) {
    const c = bytes[start + at]!;
    if (c < ZERO || c > ZERO + 9) return false;
  }
  const month = (bytes[start + 5]! - ZERO) * 10 + bytes[start + 6]! - ZERO;
  const day = (bytes[start + 8]! - ZERO) * 10 + bytes[start + 9]! - ZERO;
  return month >= 1 && month <= 12 && day >= 1 && day <= (DAYS_IN_MONTH[month - 1] ?? 0);
}

function equals(bytes: Buffer, start: number, end: number, literal: Buffer): boolean {
  if (end - start !== literal.length) return false;
  for (let i = 0; i < literal.length; i++) if (bytes[start + i] !== literal[i]) return false;
  return true;
}
