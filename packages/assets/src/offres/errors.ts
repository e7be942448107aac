export type OffresErrorCode = "MALFORMED_LINE" | "FILE_MISSING" | "LOAD_FAILED";

/** A load that could not complete; nothing was written. */
export class OffresLoadError extends Error {
  constructor(
    readonly code: OffresErrorCode,
    message: string,
    readonly file: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "OffresLoadError";
  }
}
