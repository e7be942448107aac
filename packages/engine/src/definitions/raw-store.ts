/**
 * Where raw files live: a folder on this machine (`file://…`, the default) or a bucket of an
 * S3-compatible object store (`s3://bucket/prefix`). The collector, the loaders, the file
 * sensor and the maintenance job reach raw files only through this protocol, so that workers
 * on several machines see the same files.
 *
 * Keys are relative paths with `/` separators (`raw/offres/offres-2024-08-01.ndjson`), without
 * a leading slash, `.` or `..` segments; a store refuses any other with INVALID_KEY.
 *
 * Semantics every implementation keeps (the contract suite checks them against each):
 * - an object becomes visible only once written whole: a reader or a listing never sees part
 *   of one, and a failed or cancelled write leaves no object;
 * - `write` with `ifAbsent` succeeds for one writer only when several write the same new key:
 *   the others fail with ALREADY_EXISTS, and the object is the winner's;
 * - `list` returns keys in lexicographic order, paging through the store's listing (a large
 *   bucket is never listed in one answer), and resumes after `startAfter`.
 */

/** One stored object, as a listing or `stat` gives it. */
export interface RawObject {
  /** The key (`raw/offres/offres-2024-08-01.ndjson`). */
  readonly key: string;
  /** Stored size in bytes (of the compressed bytes, for a compressed file). */
  readonly size: number;
  /**
   * When the content was last modified (ms since the epoch). A writer may carry a time over
   * (`write`'s `modifiedMs`: the maintenance job keeps the original's when it compresses a day);
   * `list` gives the store's own time where it has no other (S3's listing carries no metadata),
   * `stat` the carried-over one.
   */
  readonly modifiedMs: number;
  /** Changes whenever the content changes: the ETag in S3, mtime and size in a folder. */
  readonly etag: string;
}

export interface RawWriteOptions {
  /** Fail with ALREADY_EXISTS, writing nothing, when the key exists (also when created meanwhile). */
  readonly ifAbsent?: boolean;
  /** The modification time to record (default: now). */
  readonly modifiedMs?: number;
  readonly signal?: AbortSignal;
}

export interface RawReadOptions {
  /** First byte to read (default 0). */
  readonly start?: number;
  /** Byte after the last to read (default: the end). */
  readonly end?: number;
  readonly signal?: AbortSignal;
}

export interface RawStore {
  /** Where the store is, as the user wrote it (`file:///srv/lignee/data`, `s3://lake/lignee`). */
  readonly url: string;
  /** A key as a reader finds it: a path on this machine, or an `s3://bucket/key` URL. */
  describe(key: string): string;
  /** The objects whose key starts with `prefix`, in key order, after `startAfter` if given. */
  list(
    prefix: string,
    options?: { readonly startAfter?: string; readonly signal?: AbortSignal },
  ): AsyncIterable<RawObject>;
  /** The object, or undefined when there is none. */
  stat(key: string, options?: { readonly signal?: AbortSignal }): Promise<RawObject | undefined>;
  /** The object's bytes, streamed (a range with `start`/`end`); NOT_FOUND when missing. */
  read(key: string, options?: RawReadOptions): AsyncIterable<Uint8Array>;
  /** Writes the object whole from `body`, visible only once complete. */
  write(
    key: string,
    body: AsyncIterable<Uint8Array> | Uint8Array,
    options?: RawWriteOptions,
  ): Promise<RawObject>;
  /**
   * Removes the object (nothing when it does not exist). With `ifMatch`, only while its tag is
   * that one: false, and the object left, when another version is there (a writer replaced it).
   * True otherwise, also when there was nothing to remove.
   */
  delete(
    key: string,
    options?: { readonly ifMatch?: string; readonly signal?: AbortSignal },
  ): Promise<boolean>;
  /** Releases connections (idempotent). */
  close(): Promise<void>;
}

export type RawStoreErrorCode =
  /** The setting is not a store this version knows, or lacks a part (bucket, credentials). */
  | "INVALID_STORE"
  | "INVALID_KEY"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  /** Credentials refused, or no right on the bucket. */
  | "ACCESS_DENIED"
  /** The store could not be reached (connection refused, DNS, timeout). */
  | "UNREACHABLE"
  /** Anything else the store answered. */
  | "STORE_FAILED";

/** An error of a raw store: `code` says which, the message names the store and the key. */
export class RawStoreError extends Error {
  private readonly transient: boolean | undefined;

  /** `transient`: whether retrying may help, when the store knows better than its code. */
  constructor(
    readonly code: RawStoreErrorCode,
    message: string,
    options?: { cause?: unknown; transient?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RawStoreError";
    this.transient = options?.transient;
  }

  /**
   * Whether a step failing with it is worth retrying (read by the engine's retry policy): a
   * store out of reach may answer later, a store's failure when it says it is passing (a 5xx,
   * a busy disk); a refusal, a bad setting or key, a full disk will not.
   */
  get retryable(): boolean {
    return this.transient ?? this.code === "UNREACHABLE";
  }
}

/**
 * Throws INVALID_KEY unless `key` is a relative path of non-empty segments separated by `/`,
 * without `.` or `..` segments, a backslash or a NUL, of at most 1,024 characters.
 */
export function assertRawKey(key: string): void {
  if (!isRawKey(key))
    throw new RawStoreError("INVALID_KEY", `not a raw store key: ${JSON.stringify(key)}`);
}

/** Throws INVALID_KEY unless `prefix` is empty, a key, or a key followed by `/`. */
export function assertRawPrefix(prefix: string): void {
  const bare = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  if (prefix !== "" && !isRawKey(bare))
    throw new RawStoreError("INVALID_KEY", `not a raw store prefix: ${JSON.stringify(prefix)}`);
}

function isRawKey(key: string): boolean {
  return (
    key.length > 0 &&
    key.length <= 1024 &&
    !/[\\\0]/.test(key) &&
    !key.split("/").some((s) => s === "" || s === "." || s === "..")
  );
}
