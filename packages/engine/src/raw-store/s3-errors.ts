import { RawStoreError } from "../definitions/raw-store";
// Node.js' codes for a server that cannot be reached, or a connection lost on the way.
import { TRANSIENT_NODE_CODES } from "../execution/error-class";

/** What a failure message names: the server, the bucket, the object (an `s3://…` URL). */
export interface S3Where {
  readonly endpoint: string;
  readonly bucket: string;
  readonly object: string;
}

/** The errors S3 answers for credentials it does not accept (rather than rights they lack). */
const CREDENTIALS_REFUSED = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
]);

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The HTTP status S3 answered, when the failure is an answer (not a network error). */
export function s3Status(error: unknown): number | undefined {
  return (error as SdkError | undefined)?.$metadata?.httpStatusCode;
}

/** The S3 error code (`NoSuchKey`, `PreconditionFailed`…), or the error's name. */
export function s3ErrorName(error: unknown): string {
  return (error as SdkError | undefined)?.name ?? "Error";
}

/**
 * A RawStoreError for what the SDK threw: ACCESS_DENIED for credentials refused or rights
 * lacking (403), UNREACHABLE for a network failure or a timeout, INVALID_STORE for a missing
 * bucket or no credentials found at all, STORE_FAILED for any other answer. A RawStoreError is
 * returned as it is.
 */
export function s3Failure(error: unknown, where: S3Where): RawStoreError {
  if (error instanceof RawStoreError) return error;
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? "Error";
  const status = s3Status(error);
  // A HEAD's refusal has no body to name the error: the status says it.
  const named = name !== "Unknown" && name !== "UnknownError" && name !== "Error";
  const detail = named
    ? `${name}${e.message && e.message !== name ? `: ${e.message}` : ""}`
    : `HTTP ${status ?? "error"}${e.message && e.message !== name && e.message !== "UnknownError" ? `: ${e.message}` : ""}`;
  const cause = { cause: error };
  if (name === "CredentialsProviderError")
    return new RawStoreError(
      "INVALID_STORE",
      `no credentials found for ${where.endpoint} (${where.object}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (${detail})`,
      cause,
    );
  if (name === "NoSuchBucket" || name === "InvalidBucketName")
    return new RawStoreError(
      "INVALID_STORE",
      `the bucket ${JSON.stringify(where.bucket)} does not exist at ${where.endpoint} (${where.object})`,
      cause,
    );
  if (CREDENTIALS_REFUSED.has(name))
    return new RawStoreError(
      "ACCESS_DENIED",
      `credentials refused by ${where.endpoint} (${detail}) for ${where.object}: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
      cause,
    );
  if (status === 403 || name === "AccessDenied")
    return new RawStoreError(
      "ACCESS_DENIED",
      `access denied by ${where.endpoint} to ${where.object} (${detail}): the credentials may be wrong or lack rights on bucket ${where.bucket}`,
      cause,
    );
  if (
    status === undefined &&
    (name === "TimeoutError" || (e.code !== undefined && TRANSIENT_NODE_CODES.has(e.code)))
  )
    return new RawStoreError(
      "UNREACHABLE",
      `cannot reach ${where.endpoint} for ${where.object} (${e.code ?? name}: ${e.message ?? ""})`,
      cause,
    );
  return new RawStoreError(
    "STORE_FAILED",
    `${where.endpoint} failed on ${where.object}${status !== undefined ? ` (HTTP ${status})` : ""}: ${detail}`,
    // A server's trouble (5xx), throttling (429) or a concurrent conditional write (409) may
    // pass; an answer to the request itself (another 4xx) will not.
    {
      cause: error,
      transient: status === undefined || status >= 500 || status === 429 || status === 409,
    },
  );
}
