import { addAbortSignal, Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  assertRawKey,
  assertRawPrefix,
  type RawObject,
  type RawReadOptions,
  RawStoreError,
  type RawStore,
  type RawWriteOptions,
} from "../definitions/raw-store";
import { raceAbort } from "../util/race-abort";
import { s3ErrorName, s3Failure, s3Status } from "./s3-errors";
import { parseS3Url, type S3RawStoreOptions, s3OptionsFromEnv } from "./s3-settings";

/** User metadata that carries `write`'s `modifiedMs` (header `x-amz-meta-lignee-modified-ms`). */
const MODIFIED_MS_METADATA = "lignee-modified-ms";
const MIB = 1024 * 1024;
/** S3's own minimum part size. */
const MIN_PART_SIZE = 5 * MIB;
/** Parts uploaded at once: a write holds at most this many parts in memory. */
const PARTS_AT_ONCE = 4;

/** The SDK, loaded on first use: it weighs 1.5 MB, which a folder store never needs. */
interface Connection {
  readonly s3: typeof import("@aws-sdk/client-s3");
  readonly Upload: typeof import("@aws-sdk/lib-storage").Upload;
  readonly client: S3Client;
}

/**
 * A raw store in a bucket of S3 or of any S3-compatible store (`s3://bucket/prefix`): key
 * `a/b.ndjson` is the object `prefix/a/b.ndjson`. A write streams its body in parts of 8 MiB
 * (a multipart upload, completed only once the body has been read whole, aborted when it fails
 * or is cancelled; a body smaller than a part is one PutObject), so that memory stays bounded
 * and no reader ever sees part of an object. `ifAbsent` is S3's conditional write
 * (`If-None-Match: *`, on PutObject and on CompleteMultipartUpload): of two writers of a new key,
 * S3 lets one win. Cancelling a write fails its body, which aborts the upload; once the body
 * has been read whole, the write completes (as a folder's rename would). A given `modifiedMs` is
 * user metadata (`x-amz-meta-lignee-modified-ms`) that `stat` reads; without one, `stat`, `write`
 * and a listing all give S3's LastModified (when the object was completed), to the second: a
 * HEAD's header has no more, and some stores' listings (MinIO's) carry milliseconds. A listing
 * pages through ListObjectsV2 and, like a folder's, leaves out keys with a segment starting
 * with a dot.
 *
 * Each attempt to connect gives up after 3 s and a request makes 3 attempts, so that an
 * unreachable endpoint fails within about 10 s (UNREACHABLE), not minutes.
 *
 * @example
 * const store = S3RawStore.fromEnv("s3://lake/lignee"); // AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID…
 * await store.write("raw/offres/offres-2024-08-01.ndjson", lines, { ifAbsent: true });
 */
export class S3RawStore implements RawStore {
  readonly url: string;
  readonly bucket: string;
  /** "" or the prefix keys are stored under, followed by `/`. */
  private readonly base: string;
  private readonly options: S3RawStoreOptions;
  private readonly endpoint: string;
  private readonly pageSize: number;
  private readonly partSize: number;
  private connection: Promise<Connection> | undefined;
  /** Set once the bucket is known to exist (a HEAD's 404 does not say whether it does). */
  private bucketSeen = false;

  /** INVALID_STORE when `url` is not `s3://bucket[/prefix]` or an option is out of range. */
  constructor(url: string, options: S3RawStoreOptions = {}) {
    const { bucket, prefix } = parseS3Url(url);
    this.url = url.trim();
    this.bucket = bucket;
    this.base = prefix === "" ? "" : `${prefix}/`;
    this.options = options;
    const region = options.region ?? "us-east-1";
    this.endpoint = options.endpoint ?? `https://s3.${region}.amazonaws.com`;
    this.pageSize = options.pageSize ?? 1000;
    this.partSize = options.partSize ?? 8 * MIB;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > 1000)
      throw new RawStoreError("INVALID_STORE", `${this.url}: pageSize must be 1 to 1,000`);
    if (!Number.isInteger(this.partSize) || this.partSize < MIN_PART_SIZE)
      throw new RawStoreError("INVALID_STORE", `${this.url}: partSize must be at least 5 MiB`);
  }

  /** The store `url` names, reached as the environment says (see `s3OptionsFromEnv`). */
  static fromEnv(url: string, env: NodeJS.ProcessEnv = process.env): S3RawStore {
    return new S3RawStore(url, s3OptionsFromEnv(env));
  }

  describe(key: string): string {
    return `s3://${this.bucket}/${this.base}${key}`;
  }

  async *list(
    prefix: string,
    options: { readonly startAfter?: string; readonly signal?: AbortSignal } = {},
  ): AsyncIterable<RawObject> {
    assertRawPrefix(prefix);
    const { s3, client } = await this.connect();
    let token: string | undefined;
    let after = options.startAfter !== undefined ? this.base + options.startAfter : undefined;
    for (;;) {
      const page = await client
        .send(
          new s3.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.base + prefix,
            MaxKeys: this.pageSize,
            ...(token !== undefined
              ? { ContinuationToken: token }
              : after !== undefined
                ? { StartAfter: after }
                : {}),
          }),
          { abortSignal: options.signal },
        )
        .catch((error: unknown) => {
          throw this.failure(error, prefix, options.signal);
        });
      this.bucketSeen = true;
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        after = item.Key;
        const key = item.Key.slice(this.base.length);
        if (!isListed(key)) continue;
        yield {
          key,
          size: item.Size ?? 0,
          modifiedMs: toSeconds(item.LastModified),
          etag: item.ETag ?? "",
        };
      }
      if (!page.IsTruncated) return;
      // Stores that predate continuation tokens page with StartAfter alone.
      token = page.NextContinuationToken;
      if (token === undefined && after === undefined) return;
    }
  }

  async stat(
    key: string,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<RawObject | undefined> {
    assertRawKey(key);
    const { s3, client } = await this.connect();
    try {
      const head = await client.send(
        new s3.HeadObjectCommand({ Bucket: this.bucket, Key: this.base + key }),
        { abortSignal: options.signal },
      );
      this.bucketSeen = true;
      const carried = Number(head.Metadata?.[MODIFIED_MS_METADATA]);
      return {
        key,
        size: head.ContentLength ?? 0,
        modifiedMs: Number.isFinite(carried) ? carried : toSeconds(head.LastModified),
        etag: head.ETag ?? "",
      };
    } catch (error) {
      if (s3Status(error) !== 404) throw this.failure(error, key, options.signal);
    }
    await this.assertBucket(options.signal);
    return undefined;
  }

  async *read(key: string, options: RawReadOptions = {}): AsyncIterable<Uint8Array> {
    assertRawKey(key);
    const { start = 0, end } = options;
    if (end !== undefined && end <= start) return;
    const { s3, client } = await this.connect();
    const range =
      start === 0 && end === undefined
        ? {}
        : { Range: `bytes=${start}-${end !== undefined ? end - 1 : ""}` };
    let body: Readable;
    try {
      const object = await client.send(
        new s3.GetObjectCommand({ Bucket: this.bucket, Key: this.base + key, ...range }),
        { abortSignal: options.signal },
      );
      if (!(object.Body instanceof Readable))
        throw new RawStoreError("STORE_FAILED", `${this.describe(key)}: no body in the answer`);
      body = object.Body;
    } catch (error) {
      // A range that starts at or after the end: nothing to read, as from a file.
      if (s3Status(error) === 416) return;
      if (s3ErrorName(error) === "NoSuchKey")
        throw new RawStoreError("NOT_FOUND", `${this.describe(key)}: no such object`, {
          cause: error,
        });
      throw this.failure(error, key, options.signal);
    }
    if (options.signal) addAbortSignal(options.signal, body);
    try {
      for await (const chunk of body) yield chunk as Buffer;
    } catch (error) {
      throw this.failure(error, key, options.signal);
    } finally {
      body.destroy();
    }
  }

  async write(
    key: string,
    body: AsyncIterable<Uint8Array> | Uint8Array,
    options: RawWriteOptions = {},
  ): Promise<RawObject> {
    assertRawKey(key);
    const { signal } = options;
    signal?.throwIfAborted();
    const { Upload, client } = await this.connect();
    // Before reading the body: no upload of a day that is there already. (The conditional
    // write decides between writers that both get past this.)
    if (options.ifAbsent && (await this.stat(key, { ...(signal ? { signal } : {}) })))
      throw new RawStoreError("ALREADY_EXISTS", `${this.describe(key)} exists already`);
    const carried = options.modifiedMs === undefined ? undefined : Math.trunc(options.modifiedMs);
    let size = 0;
    let bodyError: { error: unknown } | undefined;
    // Cancelling fails the body, even one waiting for data that never comes: the upload then
    // aborts itself (no part left behind) and rejects.
    async function* measured(): AsyncIterable<Uint8Array> {
      const iterator = body instanceof Uint8Array ? toAsync([body]) : body[Symbol.asyncIterator]();
      try {
        for (;;) {
          const step = await raceAbort(iterator.next(), signal);
          if (step.done) return;
          size += step.value.byteLength;
          yield step.value;
        }
      } catch (error) {
        if (!signal?.aborted) bodyError = { error };
        // Not awaited: a body stuck on a read would hold the failure back.
        void iterator.return?.()?.catch(() => undefined);
        throw error;
      }
    }
    // In bytes (not objects), so that at most one of the body's chunks waits here.
    const source = Readable.from(measured(), { objectMode: false, highWaterMark: 64 * 1024 });
    try {
      const upload = new Upload({
        client,
        partSize: this.partSize,
        queueSize: PARTS_AT_ONCE,
        leavePartsOnError: false,
        params: {
          Bucket: this.bucket,
          Key: this.base + key,
          Body: source,
          ...(carried !== undefined
            ? { Metadata: { [MODIFIED_MS_METADATA]: String(carried) } }
            : {}),
          ...(options.ifAbsent ? { IfNoneMatch: "*" } : {}),
        },
      });
      const result = await upload.done();
      if (carried !== undefined) return { key, size, modifiedMs: carried, etag: result.ETag ?? "" };
      // Without a time to carry, the object's is S3's own, as a listing gives it: read back.
      const written = await this.stat(key).catch(() => undefined);
      return written ?? { key, size, modifiedMs: toSeconds(new Date()), etag: result.ETag ?? "" };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (bodyError) throw bodyError.error;
      const status = s3Status(error);
      // 409, ConditionalRequestConflict: a concurrent write, to be tried again (a retryable failure).
      if (options.ifAbsent && status === 412)
        throw new RawStoreError("ALREADY_EXISTS", `${this.describe(key)} exists already`, {
          cause: error,
        });
      throw this.failure(error, key);
    } finally {
      source.destroy();
    }
  }

  async delete(
    key: string,
    options: { readonly ifMatch?: string; readonly signal?: AbortSignal } = {},
  ): Promise<boolean> {
    assertRawKey(key);
    const { s3, client } = await this.connect();
    const conditional = options.ifMatch !== undefined;
    try {
      await client.send(
        new s3.DeleteObjectCommand({
          Bucket: this.bucket,
          Key: this.base + key,
          ...(conditional ? { IfMatch: options.ifMatch } : {}),
        }),
        { abortSignal: options.signal },
      );
      return true;
    } catch (error) {
      // Conditional: another version there (412). No object to match (404, or a plain success
      // from stores that answer so) is nothing to keep.
      if (conditional && s3Status(error) === 412) return false;
      if (s3ErrorName(error) !== "NoSuchKey" && s3Status(error) !== 404)
        throw this.failure(error, key, options.signal);
      return true;
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) (await connection.catch(() => undefined))?.client.destroy();
  }

  private connect(): Promise<Connection> {
    this.connection ??= this.open();
    return this.connection;
  }

  private async open(): Promise<Connection> {
    const [s3, storage] = await Promise.all([
      import("@aws-sdk/client-s3").then(commonJsExports),
      import("@aws-sdk/lib-storage").then(commonJsExports),
    ]);
    const o = this.options;
    const client = new s3.S3Client({
      region: o.region ?? "us-east-1",
      ...(o.endpoint !== undefined ? { endpoint: o.endpoint } : { followRegionRedirects: true }),
      forcePathStyle: o.forcePathStyle ?? o.endpoint !== undefined,
      ...(o.credentials ? { credentials: o.credentials } : {}),
      maxAttempts: o.maxAttempts ?? 3,
      requestHandler: {
        connectionTimeout: o.connectTimeoutMs ?? 3000,
        socketTimeout: o.idleTimeoutMs ?? 120_000,
      },
      // Checksums only where S3 requires them: many S3-compatible stores refuse the trailing
      // checksums (aws-chunked bodies) that the SDK sends by default since 2025.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    return { s3, Upload: storage.Upload, client };
  }

  /** INVALID_STORE when the bucket does not exist (checked once a store has seen it). */
  private async assertBucket(signal: AbortSignal | undefined): Promise<void> {
    if (this.bucketSeen) return;
    const { s3, client } = await this.connect();
    try {
      await client.send(new s3.HeadBucketCommand({ Bucket: this.bucket }), {
        abortSignal: signal,
      });
    } catch (error) {
      if (s3Status(error) === 404)
        throw s3Failure(Object.assign(new Error("no such bucket"), { name: "NoSuchBucket" }), {
          endpoint: this.endpoint,
          bucket: this.bucket,
          object: this.url,
        });
      throw this.failure(error, "", signal);
    }
    this.bucketSeen = true;
  }

  /** The caller's own cancellation as it is; anything else as a RawStoreError. */
  private failure(error: unknown, key: string, signal?: AbortSignal): unknown {
    if (signal?.aborted) return signal.reason;
    return s3Failure(error, {
      endpoint: this.endpoint,
      bucket: this.bucket,
      object: key === "" ? this.url : this.describe(key),
    });
  }
}

/**
 * The exports of a CommonJS module loaded with `import()`: Node.js gives them named and as
 * `default`, the engine's bundle (esbuild) as `default` only.
 */
function commonJsExports<T extends object>(module: T): T {
  return (module as { default?: T }).default ?? module;
}

async function* toAsync(chunks: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

/** Like a folder's listing: no key a store would refuse, none with a dot segment (`.tmp/x`). */
function isListed(key: string): boolean {
  if (key === "") return false;
  try {
    assertRawKey(key);
  } catch {
    return false;
  }
  return !key.split("/").some((s) => s.startsWith("."));
}

/** S3's LastModified to the whole second (as a HEAD's Last-Modified header gives it), in ms. */
function toSeconds(time: Date | undefined): number {
  return time === undefined ? 0 : Math.floor(time.getTime() / 1000) * 1000;
}
