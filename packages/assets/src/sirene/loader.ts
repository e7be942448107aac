import { stat } from "node:fs/promises";
import { batchLines, copyInto } from "../warehouse/copy";
import { copyValue } from "../warehouse/copy-text";
import type { Warehouse } from "../warehouse/warehouse";
import { SIRENE_COLUMNS, SIRENE_DDL, SIRENE_TABLE } from "./columns";
import { csvRecords, CsvSyntaxError } from "./csv-records";
import { openCsvSource } from "./csv-source";
import { SireneLoadError } from "./errors";

export interface SireneLoadStats {
  /** Rows loaded: the active establishments. */
  readonly rows: number;
  /** Data rows read from the file, active or not. */
  readonly rowsRead: number;
  /** Bytes of CSV read (uncompressed). */
  readonly bytes: number;
  /** Size of the file on disk (the zip, for a zip). */
  readonly fileBytes: number;
  readonly durationMs: number;
  readonly sirene_etablissements: number;
}

/**
 * How many of the latest COPY lines keep their file line, to name the line of a row PostgreSQL
 * rejects: it reports the COPY line, and by then the loader has sent at most a few megabytes
 * more (a ring of 131,072 lines, 512 KiB, whatever the file's size).
 */
const LINE_MAP_SIZE = 1 << 17;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Replaces raw.sirene_etablissements with the active establishments (etatAdministratif 'A') of
 * an INSEE `StockEtablissement` file: a `.csv`, or a `.zip` holding one, read as a stream
 * (memory stays flat for the 6 GB stock). Columns are found by their header name, so their order
 * does not matter and new columns are ignored; the ones the table needs must be there.
 *
 * Everything happens in one transaction: a malformed record (wrong number of fields, an
 * unbalanced quote, an invalid date), a duplicate siret, a crash or a cancellation leaves the
 * table as it was. Errors are `SireneLoadError`s naming the file and the line.
 *
 * @example
 * const stats = await loadSireneEtablissements(warehouse, "data/StockEtablissement_utf8.zip");
 * // { rows: 2_124_855, rowsRead: 2_500_000, … }
 */
export async function loadSireneEtablissements(
  warehouse: Warehouse,
  file: string,
  options: { signal?: AbortSignal } = {},
): Promise<SireneLoadStats> {
  const started = performance.now();
  const fileBytes = await fileSize(file);
  const source = await openCsvSource(file);
  const name = source.name;
  let bytes = 0;
  let rowsRead = 0;
  // copyLines[n % size] = file line of COPY line n + 1.
  const copyLines = new Uint32Array(LINE_MAP_SIZE);
  let copied = 0;

  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of source.stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      yield chunk;
    }
  }

  async function* rows(): AsyncGenerator<string> {
    const records = csvRecords(counted());
    const header = await records.next();
    if (header.done) {
      throw new SireneLoadError("MALFORMED_CSV", "empty file, no header", { file: name });
    }
    const positions = columnPositions(header.value.fields, name);
    const width = header.value.fields.length;
    const etat =
      positions[SIRENE_COLUMNS.findIndex((c) => c.source === "etatAdministratifEtablissement")]!;
    for await (const { line, fields } of records) {
      if (fields.length !== width) {
        throw new SireneLoadError(
          "MALFORMED_CSV",
          `expected ${width} fields as in the header, found ${fields.length}`,
          { file: name, line },
        );
      }
      rowsRead++;
      if ((rowsRead & 0xffff) === 0) options.signal?.throwIfAborted();
      if (fields[etat] !== "A") continue;
      copyLines[copied++ % LINE_MAP_SIZE] = line;
      yield copyLine(fields, positions, name, line);
    }
  }

  try {
    await warehouse.ensure(SIRENE_DDL);
    const copy = await warehouse.transaction(async (client) => {
      // TRUNCATE rather than DELETE: millions of dead rows would be left to vacuum. Readers wait
      // on its lock until the commit, then see the new rows; never an empty table.
      await client.query(`TRUNCATE ${SIRENE_TABLE}`);
      return copyInto(
        client,
        SIRENE_TABLE,
        SIRENE_COLUMNS.map((c) => c.column),
        batchLines(rows()),
        // Truncated above in this transaction: the rows can be written frozen.
        { ...options, freeze: true },
      );
    });
    return {
      rows: copy.rows,
      rowsRead,
      bytes,
      fileBytes,
      durationMs: Math.round(performance.now() - started),
      sirene_etablissements: copy.rows,
    };
  } catch (error) {
    throw asLoadError(error, name, (copyLine) =>
      copyLine > copied || copied - copyLine >= LINE_MAP_SIZE
        ? undefined
        : copyLines[(copyLine - 1) % LINE_MAP_SIZE],
    );
  } finally {
    source.close();
  }
}

/** Index in each record of every column the table needs, in SIRENE_COLUMNS order. */
function columnPositions(header: readonly string[], file: string): number[] {
  const index = new Map(header.map((h, i) => [h.trim(), i]));
  const missing = SIRENE_COLUMNS.filter((c) => !index.has(c.source)).map((c) => c.source);
  if (missing.length > 0) {
    throw new SireneLoadError(
      "MISSING_COLUMN",
      `the header lacks ${missing.join(", ")} (is this a StockEtablissement file?)`,
      { file, line: 1 },
    );
  }
  return SIRENE_COLUMNS.map((c) => index.get(c.source) as number);
}

/** One COPY text line; empty fields become NULL, as they mean "not filled in" in SIRENE. */
function copyLine(
  fields: readonly string[],
  positions: readonly number[],
  file: string,
  line: number,
): string {
  const invalid = (message: string) =>
    new SireneLoadError("INVALID_VALUE", message, { file, line });
  let out = "";
  for (let i = 0; i < SIRENE_COLUMNS.length; i++) {
    const column = SIRENE_COLUMNS[i]!;
    const value = fields[positions[i]!]!;
    if (i > 0) out += "\t";
    if (value === "") {
      if (column.column === "siret" || column.column === "siren") {
        throw invalid(`${column.source} is empty`);
      }
      out += "\\N";
    } else if (column.type === "date") {
      if (!isDate(value)) throw invalid(`${column.source} "${value}" is not a date`);
      out += value;
    } else if (column.type === "boolean") {
      if (value !== "true" && value !== "false") {
        throw invalid(`${column.source} "${value}" is not true or false`);
      }
      out += value;
    } else {
      out += copyValue(value);
    }
  }
  return `${out}\n`;
}

/** A yyyy-mm-dd date that exists (February 29 is accepted every year; PostgreSQL has the last word). */
function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= (DAYS_IN_MONTH[month - 1] ?? 0);
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    throw new SireneLoadError("FILE_MISSING", "no such file", { file }, { cause: error });
  }
}

/**
 * The error to throw for whatever stopped the load: ours as they are, a CSV syntax error with
 * its line, and PostgreSQL's with the file line of the row it names.
 */
function asLoadError(
  error: unknown,
  file: string,
  fileLineOfCopyLine: (copyLine: number) => number | undefined,
): SireneLoadError {
  if (error instanceof SireneLoadError) return error;
  if (error instanceof CsvSyntaxError) {
    return new SireneLoadError(
      "MALFORMED_CSV",
      error.message,
      { file, line: error.line },
      { cause: error },
    );
  }
  const pg = error as { code?: string; where?: string; detail?: string; message?: string };
  const copyLine = /COPY [^,]+, line (\d+)/.exec(pg.where ?? "")?.[1];
  const line = copyLine === undefined ? undefined : fileLineOfCopyLine(Number(copyLine));
  const what = [pg.message, pg.detail].filter(Boolean).join(": ");
  // Class 22 (data exception) and 23 (integrity constraint violation): the row's fault.
  const code = /^2[23]/.test(pg.code ?? "") ? "INVALID_VALUE" : "LOAD_FAILED";
  return new SireneLoadError(
    code,
    what || String(error),
    line === undefined ? { file } : { file, line },
    {
      cause: error,
    },
  );
}
