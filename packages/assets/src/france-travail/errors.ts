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
  | "RETRIES_EXHAUSTED";

export class FranceTravailError extends Error {
  readonly code: FranceTravailErrorCode;
  /** HTTP status of the answer that caused the error, when there was one. */
  readonly status: number | undefined;

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
