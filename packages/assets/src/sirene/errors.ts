export type SireneLoadErrorCode =
  /** The file does not exist or cannot be read. */
  | "FILE_MISSING"
  /** A zip that is not one, or that holds no CSV or more than one. */
  | "ZIP_INVALID"
  /** The header lacks a column the table needs. */
  | "MISSING_COLUMN"
  /** A record with the wrong number of fields, an unbalanced quote… */
  | "MALFORMED_CSV"
  /** A field whose value cannot be loaded (a date that is not one, a siret twice…). */
  | "INVALID_VALUE"
  /** PostgreSQL refused the load for another reason. */
  | "LOAD_FAILED";

/**
 * A SIRENE load that could not complete. The load runs in one transaction, so the table still
 * holds its previous content. `line` is the line of the file (1 = the header) where the faulty
 * record starts, when there is one.
 */
export class SireneLoadError extends Error {
  readonly code: SireneLoadErrorCode;

  /**
   * Read by the engine to decide on a retry (see `isTransient` in @lignee/engine): a missing or
   * malformed file is the same on the next attempt; a load PostgreSQL refused is decided by its
   * cause (a lost connection is retried, a constraint violation is not).
   */
  get retryable(): boolean | undefined {
    return this.code === "LOAD_FAILED" ? undefined : false;
  }

  readonly file: string;
  readonly line: number | undefined;

  constructor(
    code: SireneLoadErrorCode,
    message: string,
    where: { file: string; line?: number },
    options?: { cause?: unknown },
  ) {
    super(
      where.line === undefined
        ? `${where.file}: ${message}`
        : `${where.file}:${where.line}: ${message}`,
      options,
    );
    this.name = "SireneLoadError";
    this.code = code;
    this.file = where.file;
    this.line = where.line;
  }
}
