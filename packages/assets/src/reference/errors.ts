export type ReferenceDataErrorCode =
  /** A source package or file no longer has the shape the loader was written for. */
  | "UNEXPECTED_SHAPE"
  /** Lists handed to a loader are inconsistent (a duplicate code, an unknown parent…). */
  | "INVALID_INPUT"
  /** PostgreSQL refused the load; nothing was written. */
  | "LOAD_FAILED";

/**
 * A reference-data load that could not complete. Loads run in one transaction, so when this is
 * thrown the tables still hold their previous content.
 */
export class ReferenceDataError extends Error {
  readonly code: ReferenceDataErrorCode;

  /**
   * Read by the engine to decide on a retry (see `isTransient` in @lignee/engine): a source of
   * an unexpected shape or inconsistent lists stay so; a refused load is decided by its cause.
   */
  get retryable(): boolean | undefined {
    return this.code === "LOAD_FAILED" ? undefined : false;
  }

  constructor(code: ReferenceDataErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ReferenceDataError";
    this.code = code;
  }
}
