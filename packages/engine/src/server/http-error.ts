import { ZodError } from "zod";
import { isBadInput, LigneeError } from "../errors";

export type HttpErrorStatus = 400 | 401 | 403 | 404 | 409 | 500;

/** An error the API answers with a given status and a one-line message. */
export class HttpError extends Error {
  constructor(
    readonly status: HttpErrorStatus,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "HttpError";
  }
}

/**
 * The one place where errors become HTTP answers: `{ "error": "<one line>" }`. Engine errors are
 * mapped by their `code`: an unknown asset, run or backfill is 404, any other bad input is 400;
 * anything unexpected is 500 with a generic message (the details go to the server log, not the
 * client).
 */
export function toHttpError(error: unknown): { status: HttpErrorStatus; body: { error: string } } {
  if (error instanceof HttpError) return answer(error.status, error.message);
  if (error instanceof ZodError) return answer(400, describeZodError(error));
  if (error instanceof LigneeError && isBadInput(error)) {
    const notFound =
      error.code === "UNKNOWN_ASSET" ||
      error.code === "UNKNOWN_RUN" ||
      error.code === "UNKNOWN_BACKFILL";
    return answer(notFound ? 404 : 400, error.message);
  }
  return answer(500, "internal server error");
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
  const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  return `invalid request: ${where}${issue.message}`;
}

function answer(status: HttpErrorStatus, message: string) {
  // One line: multi-line engine messages (several definition problems) are folded.
  return { status, body: { error: oneLine(message) } };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, "; ").trim();
}
