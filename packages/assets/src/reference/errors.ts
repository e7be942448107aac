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

  constructor(code: ReferenceDataErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ReferenceDataError";
    this.code = code;
  }
}
