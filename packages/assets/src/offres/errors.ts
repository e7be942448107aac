export type OffresErrorCode = "MALFORMED_LINE" | "FILE_MISSING" | "LOAD_FAILED";

/**
 * A load that could not complete; nothing was written. `file` is the path given to the loader;
 * messages name the file by its base name (`offres-2024-08-01.ndjson line 12: …`), which is
 * what a reader needs, without the machine's folders.
 */
export class OffresLoadError extends Error {
  /**
   * Read by the engine to decide on a retry (see `isTransient` in @lignee/engine): a malformed
   * line or a missing file is the same on the next attempt; a load PostgreSQL refused is
   * decided by its cause (a lost connection is retried, JSON it rejects is not).
   */
  get retryable(): boolean | undefined {
    return this.code === "LOAD_FAILED" ? undefined : false;
  }

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
