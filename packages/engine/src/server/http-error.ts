import { ZodError } from "zod";
import {
  clip,
  ConfirmationRequiredError,
  InvalidConfigError,
  isBadInput,
  LigneeError,
  type ConfigIssue,
} from "../errors";

export type HttpErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 422 | 429 | 500;

/**
 * An error the API answers with a given status and a one-line message, and the headers that
 * status calls for (`Allow` with a 405, `WWW-Authenticate` with a 401).
 */
export class HttpError extends Error {
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly status: HttpErrorStatus,
    message: string,
    options?: { cause?: unknown; headers?: Readonly<Record<string, string>> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HttpError";
    this.headers = options?.headers ?? {};
  }
}

export interface HttpErrorAnswer {
  readonly status: HttpErrorStatus;
  readonly body: {
    error: string;
    confirmation?: ConfirmationRequiredError["confirmation"];
    issues?: readonly ConfigIssue[];
    issuesOmitted?: number;
  };
  readonly headers: Readonly<Record<string, string>>;
}

/** A known path asked with a method it does not answer: 405, with the methods it does. */
export function methodNotAllowed(
  method: string,
  path: string,
  allowed: readonly string[],
): HttpError {
  const allow = allowed.join(", ");
  return new HttpError(
    405,
    `method ${method} is not allowed on ${clip(path)} (allowed: ${allow})`,
    {
      headers: { Allow: allow },
    },
  );
}

/**
 * The one place where errors become HTTP answers: `{ "error": "<one line>" }`. Engine errors are
 * mapped by their `code`: an unknown asset, run, backfill, user or token is 404, a name taken,
 * the last active admin's disabling or demotion, or a first user who is no admin is 409, any other bad input is 400; anything unexpected is 500 with a generic message (the
 * details go to the server log, not the client).
 */
export function toHttpError(error: unknown): HttpErrorAnswer {
  const confirmation = confirmationOf(error);
  if (confirmation) {
    const { status, body, headers } = answer(400, (error as Error).message);
    return { status, body: { ...body, confirmation }, headers };
  }
  const config = configErrorOf(error);
  if (config) {
    const { status, body, headers } = answer(400, config.message);
    const omitted = config.issuesOmitted > 0 ? { issuesOmitted: config.issuesOmitted } : {};
    return { status, body: { ...body, issues: config.issues, ...omitted }, headers };
  }
  if (error instanceof HttpError) return answer(error.status, error.message, error.headers);
  if (error instanceof ZodError) return answer(400, describeZodError(error));
  if (error instanceof LigneeError && isBadInput(error)) {
    const notFound =
      error.code === "UNKNOWN_ASSET" ||
      error.code === "UNKNOWN_RUN" ||
      error.code === "UNKNOWN_BACKFILL" ||
      error.code === "UNKNOWN_CHECK" ||
      error.code === "UNKNOWN_PARTITIONS_SET" ||
      error.code === "UNKNOWN_USER" ||
      error.code === "UNKNOWN_TOKEN";
    if (error.code === "CONFLICT" || error.code === "LAST_ADMIN" || error.code === "NEEDS_ADMIN") {
      return answer(409, error.message);
    }
    return answer(notFound ? 404 : 400, error.message);
  }
  return answer(500, "internal server error");
}

/**
 * What a request needs confirming (see `requireConfirmation`), so that a client can show the
 * count and ask again with `"confirm": true`.
 */
function confirmationOf(error: unknown): ConfirmationRequiredError["confirmation"] | undefined {
  if (error instanceof ConfirmationRequiredError) return error.confirmation;
  if (error instanceof HttpError && error.cause instanceof ConfirmationRequiredError) {
    return error.cause.confirmation;
  }
  return undefined;
}

/** An invalid run config, thrown as it is or as the cause of a 400 (see `asBadRequest`). */
function configErrorOf(error: unknown): InvalidConfigError | undefined {
  if (error instanceof InvalidConfigError) return error;
  if (error instanceof HttpError && error.cause instanceof InvalidConfigError) return error.cause;
  return undefined;
}

/**
 * Bad input inside a request body (an unknown asset in a selection, a bad partition key) is a
 * 400, not a 404: the resource addressed by the URL exists, what was asked of it is wrong.
 */
export function asBadRequest(error: unknown): unknown {
  if (isBadInput(error)) return new HttpError(400, error.message, { cause: error });
  return error;
}

export function describeZodError(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid request";
  // Paths and messages may quote what was sent (an unknown field's name): never echoed whole.
  const where =
    issue.path.length > 0 ? `${issue.path.map((p) => clip(String(p))).join(".")}: ` : "";
  const message = issue.message.length > 200 ? clip(issue.message) : issue.message;
  return `invalid request: ${where}${message}`;
}

function answer(
  status: HttpErrorStatus,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): HttpErrorAnswer {
  // One line: multi-line engine messages (several definition problems) are folded.
  return { status, body: { error: oneLine(message) }, headers };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, "; ").trim();
}
