import { stat } from "node:fs/promises";
import { copyInto } from "../warehouse/copy";
import type { Warehouse } from "../warehouse/warehouse";
import { ActiveRows } from "./active-rows";
import { SIRENE_COLUMNS, SIRENE_DDL, SIRENE_TABLE } from "./columns";
import { CsvSyntaxError } from "./csv-records";
import type { RawStore } from "@lignee/engine";
import { openCsvObject, openCsvSource, type CsvSource } from "./csv-source";
import { addPrimaryKey, dropPrimaryKeyForLoad } from "./primary-key";
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
 * Replaces raw.sirene_etablissements with the active establishments (etatAdministratif 'A') of
 * an INSEE `StockEtablissement` file: a `.csv`, or a `.zip` holding one, read as a stream
 * (memory stays flat for the 6 GB stock). Columns are found by their header name, so their order
 * does not matter and new columns are ignored; the ones the table needs must be there.
 *
 * Everything happens in one transaction: a malformed record (wrong number of fields, an
 * unbalanced quote, an invalid date), a duplicate siret, a crash or a cancellation leaves the
 * table as it was. Errors are `SireneLoadError`s naming the file and the line. The primary key
 * on siret is dropped for the load and built again from all the rows (`dropPrimaryKeyForLoad`):
 * a siret listed twice is found then, and the file is read again for the line that repeats it.
 *
 * @example
 * const stats = await loadSireneEtablissements(warehouse, "data/StockEtablissement_utf8.zip");
 * // { rows: 2_124_855, rowsRead: 2_500_000, … }
 */
export async function loadSireneEtablissements(
  warehouse: Warehouse,
  file: string | { readonly store: RawStore; readonly key: string },
  options: { signal?: AbortSignal } = {},
): Promise<SireneLoadStats> {
  const started = performance.now();
  const { source, size: fileBytes } = await open(file);
  const name = source.name;
  let bytes = 0;
  const active = new ActiveRows(name, options.signal);

  /** One COPY chunk per chunk of the file. */
  async function* rows(): AsyncGenerator<Buffer> {
    for await (const chunk of source.stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      const copy = active.write(chunk);
      if (copy !== undefined) yield copy;
    }
    const copy = active.end();
    if (copy !== undefined) yield copy;
  }

  try {
    await warehouse.ensure(SIRENE_DDL);
    const copy = await warehouse.transaction(async (client) => {
      // TRUNCATE rather than DELETE: millions of dead rows would be left to vacuum. Readers wait
      // on its lock until the commit, then see the new rows; never an empty table.
      await client.query(`TRUNCATE ${SIRENE_TABLE}`);
      // The primary key's index is built once the rows are in, from all of them at once.
      const key = await dropPrimaryKeyForLoad(client, SIRENE_TABLE);
      const stats = await copyInto(
        client,
        SIRENE_TABLE,
        SIRENE_COLUMNS.map((c) => c.column),
        rows(),
        // Truncated above in this transaction: the rows can be written frozen.
        { ...options, freeze: true },
      );
      if (key) await addPrimaryKey(client, SIRENE_TABLE, key);
      return stats;
    });
    return {
      rows: copy.rows,
      rowsRead: active.rowsRead,
      bytes,
      fileBytes,
      durationMs: Math.round(performance.now() - started),
      sirene_etablissements: copy.rows,
    };
  } catch (error) {
    const twice = listedTwice(error);
    if (twice !== undefined)
      throw await duplicateError(file, name, twice, error, options).catch((cancelled: unknown) =>
        asLoadError(cancelled, name, () => undefined),
      );
    throw asLoadError(error, name, (copyLine) => active.fileLine(copyLine));
  } finally {
    source.close();
  }
}

/**
 * The siret of PostgreSQL's refusal to build the primary key over two rows with the same one
 * (`Key (siret)=(…) is duplicated.`); undefined for any other error.
 */
function listedTwice(error: unknown): string | undefined {
  const pg = error as { code?: unknown; detail?: unknown };
  if (pg.code !== "23505" || typeof pg.detail !== "string") return undefined;
  return /^Key \(siret\)=\((\d+)\) is duplicated\.$/.exec(pg.detail)?.[1];
}

/**
 * The error for a siret listed twice, naming the line of its second listing: the file is read
 * again to find it (the key is checked once every row is in, when the rows' lines are gone).
 */
async function duplicateError(
  file: string | { readonly store: RawStore; readonly key: string },
  name: string,
  siret: string,
  cause: unknown,
  options: { signal?: AbortSignal },
): Promise<SireneLoadError> {
  const lines = await activeLinesOf(file, siret, options.signal).catch((error: unknown) => {
    // A cancellation is not a duplicate's error; a file unreadable now only costs the line.
    if (options.signal?.aborted) throw error;
    return [];
  });
  const second = lines[1];
  const where = second === undefined ? { file: name } : { file: name, line: second };
  const first = lines[0] === undefined ? "" : `, first on line ${lines[0]}`;
  return new SireneLoadError("INVALID_VALUE", `siret ${siret} is listed twice${first}`, where, {
    cause,
  });
}

/** The file lines of the active establishments of the file with `siret`. */
async function activeLinesOf(
  file: string | { readonly store: RawStore; readonly key: string },
  siret: string,
  signal: AbortSignal | undefined,
): Promise<number[]> {
  const { source } = await open(file);
  try {
    const finder = new ActiveRows(source.name, signal, siret);
    for await (const chunk of source.stream as AsyncIterable<Buffer>) finder.write(chunk);
    finder.end();
    return finder.found;
  } finally {
    source.close();
  }
}

/** The CSV of a file of this machine, or of a raw store's object (`openCsvObject`). */
async function open(
  file: string | { readonly store: RawStore; readonly key: string },
): Promise<{ source: CsvSource; size: number }> {
  if (typeof file !== "string") return openCsvObject(file.store, file.key);
  const size = await fileSize(file);
  return { source: await openCsvSource(file), size };
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
