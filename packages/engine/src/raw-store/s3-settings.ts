import { RawStoreError } from "../definitions/raw-store";
import { nonEmpty } from "../util/non-empty";

/** Static credentials of an S3 store (the SDK's default chain applies when there are none). */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** How to reach the store of an `s3://` raw store; every field has a default. */
export interface S3RawStoreOptions {
  /**
   * The S3 API of an S3-compatible store (`http://s3proxy:80`, `https://minio.example:9000`);
   * default: AWS' own endpoint for the region.
   */
  readonly endpoint?: string;
  /** Default `us-east-1`. */
  readonly region?: string;
  /**
   * Default: the SDK's default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the shared
   * config and credentials files with AWS_PROFILE, SSO, web identity, the instance's role…).
   */
  readonly credentials?: S3Credentials;
  /** `endpoint/bucket/key` rather than `bucket.endpoint/key`; default: when `endpoint` is set. */
  readonly forcePathStyle?: boolean;
  /** Keys asked per page of a listing (1 to 1,000, the default). */
  readonly pageSize?: number;
  /** Part size of multipart uploads, in bytes (5 MiB at least; default 8 MiB). */
  readonly partSize?: number;
  /** Time allowed to open a connection, per attempt (default 3,000 ms). */
  readonly connectTimeoutMs?: number;
  /** Time a connection may stay idle mid-request before it fails (default 120,000 ms). */
  readonly idleTimeoutMs?: number;
  /** Attempts per request, the first included, for failures worth retrying (default 3). */
  readonly maxAttempts?: number;
}

/** The bucket and key prefix an `s3://bucket/prefix` setting names. */
export interface S3Location {
  readonly bucket: string;
  /** "" or a prefix without leading or trailing slash (`raw-files`, `lake/lignee`). */
  readonly prefix: string;
}

/**
 * Reads `s3://bucket` or `s3://bucket/prefix` (a trailing slash allowed); INVALID_STORE names
 * what is wrong: no bucket, a port or credentials in the URL (they belong in the environment),
 * a query, an empty or `.`/`..` segment in the prefix.
 */
export function parseS3Url(setting: string): S3Location {
  let url: URL;
  try {
    url = new URL(setting.trim());
  } catch (error) {
    throw invalidS3(setting, (error as Error).message);
  }
  if (url.protocol !== "s3:") throw invalidS3(setting, "it is not an s3:// URL");
  if (url.username !== "" || url.password !== "")
    throw invalidS3(
      setting,
      "credentials do not belong in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    );
  if (url.port !== "")
    throw invalidS3(setting, "an s3:// URL names a bucket, not a server: set AWS_ENDPOINT_URL");
  if (url.search !== "" || url.hash !== "")
    throw invalidS3(setting, "an s3:// URL takes no query or fragment");
  const bucket = url.hostname;
  if (bucket === "") throw invalidS3(setting, "it names no bucket");
  // S3's rules for new buckets, loosely: other S3-compatible stores accept a little more.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{2,254}$/.test(bucket))
    throw invalidS3(setting, `${JSON.stringify(bucket)} is not a bucket name`);
  // The path as written: URL parsing would resolve `a/../b` into `b` silently.
  const written = setting.trim().replace(/^s3:\/\/[^/]*/i, "");
  let path: string;
  try {
    path = decodeURIComponent(written);
  } catch {
    throw invalidS3(setting, "its path is not valid percent-encoding");
  }
  const prefix = path.replace(/^\/+/, "").replace(/\/+$/, "");
  if (prefix.split("/").some((s) => s === "." || s === "..") || prefix.includes("//"))
    throw invalidS3(setting, `the prefix ${JSON.stringify(prefix)} has an empty, . or .. segment`);
  if (/[\\\0]/.test(prefix) || prefix.length > 512)
    throw invalidS3(setting, `the prefix ${JSON.stringify(prefix)} is not a key prefix`);
  return { bucket, prefix };
}

/**
 * The options the environment gives: `AWS_ENDPOINT_URL_S3` or else `AWS_ENDPOINT_URL` (any
 * S3-compatible store, addressed path-style), `AWS_REGION` or else `AWS_DEFAULT_REGION`,
 * `AWS_ACCESS_KEY_ID` with `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`). Without keys, the
 * SDK's default chain looks for credentials (profiles, SSO, the instance's role…).
 */
export function s3OptionsFromEnv(env: NodeJS.ProcessEnv): S3RawStoreOptions {
  const endpoint = nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  const region = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined))
    throw new RawStoreError(
      "INVALID_STORE",
      `${accessKeyId ? "AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY" : "AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID"}: set both, or neither to use the SDK's default credentials`,
    );
  if (endpoint !== undefined && !/^https?:\/\/[^/]/i.test(endpoint))
    throw new RawStoreError(
      "INVALID_STORE",
      `the S3 endpoint ${JSON.stringify(endpoint)} (AWS_ENDPOINT_URL${env.AWS_ENDPOINT_URL_S3 ? "_S3" : ""}) is not an http:// or https:// URL`,
    );
  return {
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(accessKeyId !== undefined && secretAccessKey !== undefined
      ? {
          credentials: {
            accessKeyId,
            secretAccessKey,
            ...(sessionToken !== undefined ? { sessionToken } : {}),
          },
        }
      : {}),
  };
}

function invalidS3(setting: string, why: string): RawStoreError {
  return new RawStoreError(
    "INVALID_STORE",
    `raw store ${JSON.stringify(setting)}: ${why} (expected s3://bucket or s3://bucket/prefix)`,
  );
}
