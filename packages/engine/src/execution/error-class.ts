import { LigneeError } from "../errors";

/**
 * Whether a failure of user code is worth retrying. A step is retried (per its asset's retry
 * policy) only when what it threw is *transient*: something outside the code that may be gone
 * on the next attempt (a lost connection, a 503, a lock timeout). Anything else is *permanent*
 * and fails the step at once: retrying a malformed input line, an invalid definition or a
 * missing file only delays the failure by the whole backoff.
 *
 * An error unknown to the rules below, a plain `new Error("boom")` included, is permanent:
 * user code that knows a failure is transient says so by throwing a `RetryableError` (or any
 * error with `retryable: true`), and one that knows a failure is final, whatever its cause,
 * throws a `PermanentError` (or sets `retryable: false`).
 */

/** Thrown by user code for a failure that may pass: the step is retried per its policy. */
export class RetryableError extends Error {
  readonly retryable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Thrown by user code for a failure that no retry can fix: the step fails at once. */
export class PermanentError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Node.js error codes of network failures that may not happen on the next attempt.
 * ENOTFOUND is among them: in container networks a service that is restarting is briefly
 * unknown to DNS, and a misspelt host name shows on the very first run anyway.
 */
export const TRANSIENT_NODE_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENETRESET",
  // undici (fetch)
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

/** PostgreSQL SQLSTATEs, one by one, that a retry can get past. */
const TRANSIENT_SQLSTATES: ReadonlySet<string> = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "55P03", // lock_not_available (lock_timeout)
  "57014", // query_canceled (statement_timeout; a cancelled run never reaches the retry)
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
]);

/** SQLSTATE classes that a retry can get past: 08 connection exception, 53 insufficient resources. */
const TRANSIENT_SQLSTATE_CLASSES: ReadonlySet<string> = new Set(["08", "53"]);

/** A SQLSTATE: a class of two digits (or F0, HV, P0, XX) and three characters. */
const SQLSTATE = /^(?:\d\d|F0|HV|P0|XX)[0-9A-Z]{3}$/;

/**
 * node-postgres reports a connection lost mid-query, or a pool that could not connect in time,
 * with a plain Error and no code: its message is all there is to go by.
 */
const LOST_CONNECTION_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/i;

type Verdict = boolean | undefined;

/**
 * Is this error (thrown by user code) transient? Looks at the error, then down its `cause`
 * chain (and at the `errors` of an AggregateError), and decides on the first link that says
 * something: an explicit `retryable` flag, an engine error, a Node.js or PostgreSQL code, an
 * HTTP status or a timeout. An error nothing decides is permanent.
 */
export function isTransient(error: unknown): boolean {
  return verdictOf(error, 0) ?? false;
}

function verdictOf(error: unknown, depth: number): Verdict {
  if (depth > 10 || typeof error !== "object" || error === null) return undefined;
  const own = ownVerdict(error);
  if (own !== undefined) return own;
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) {
    const verdicts = errors.map((e) => verdictOf(e, depth + 1));
    if (verdicts.includes(true)) return true;
    if (verdicts.includes(false)) return false;
  }
  return verdictOf((error as { cause?: unknown }).cause, depth + 1);
}

/** What one link of the chain says about itself, ignoring its causes. */
function ownVerdict(error: object): Verdict {
  const e = error as {
    retryable?: unknown;
    code?: unknown;
    status?: unknown;
    statusCode?: unknown;
    name?: unknown;
    message?: unknown;
  };
  if (typeof e.retryable === "boolean") return e.retryable;
  if (error instanceof LigneeError) {
    // An asset's failure wrapped by the engine: its cause decides.
    if (error.code === "USER_CODE") return undefined;
    // Bad definitions, selections, partitions, a lost lease…: the same on every attempt.
    return false;
  }
  if (typeof e.code === "string") {
    if (TRANSIENT_NODE_CODES.has(e.code)) return true;
    if (SQLSTATE.test(e.code)) {
      return TRANSIENT_SQLSTATES.has(e.code) || TRANSIENT_SQLSTATE_CLASSES.has(e.code.slice(0, 2));
    }
    if (e.code === "ENOENT") return false;
  }
  const status = typeof e.status === "number" ? e.status : e.statusCode;
  if (typeof status === "number" && status >= 400 && status < 600) {
    return status >= 500 || status === 429 || status === 408;
  }
  if (e.name === "TimeoutError") return true;
  if (typeof e.message === "string" && LOST_CONNECTION_MESSAGE.test(e.message)) return true;
  return undefined;
}
