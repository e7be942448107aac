/**
 * Why a France Travail call or a day's collection failed. Every error this module raises on
 * purpose is a `FranceTravailError` with one of these codes; the original error (a network
 * failure, a JSON syntax error…) is kept as `cause`.
 */
export type FranceTravailErrorCode =
  /** Credentials refused, or the API refused a freshly issued token. Not retried. */
  | "AUTH"
  /** The API answered with an error status that retrying cannot fix (400, 403, 404…). */
  | "HTTP"
  /** A body that is not the JSON announced, or a page inconsistent with its Content-Range. */
  | "MALFORMED"
  /** The offers collected do not add up to the totals the API reported: nothing is written. */
  | "INCOMPLETE"
  /** A retryable failure (429, 5xx, timeout, network, malformed body) persisted. */
  | "RETRIES_EXHAUSTED"
  /** Another collection wrote the day's new file first: this one keeps nothing. */
  | "CONFLICT";

export class FranceTravailError extends Error {
  readonly code: FranceTravailErrorCode;
  /** HTTP status of the answer that caused the error, when there was one. */
  readonly status: number | undefined;

  /**
   * Read by the engine to decide on a retry of the whole step (see `isTransient` in
   * @lignee/engine). The client has already retried each call; when it gives up the API is
   * down or throttling for a while, which a retry minutes later may get past, and an
   * incomplete collection (offers published while it ran) is worth collecting again. Refused
   * credentials and answers of the wrong shape are not; an HTTP error is decided by its status.
   */
  get retryable(): boolean | undefined {
    switch (this.code) {
      case "RETRIES_EXHAUSTED":
      case "INCOMPLETE":
        return true;
      case "AUTH":
      case "MALFORMED":
      case "CONFLICT":
        return false;
      case "HTTP":
        return undefined;
    }
  }

  constructor(
    code: FranceTravailErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "FranceTravailError";
    this.code = code;
    this.status = options?.status;
  }
}

/** A short, single-line description of any thrown value, for messages and logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The start of a response body on one line, for error messages. */
export function snippet(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine || "(empty body)";
}
