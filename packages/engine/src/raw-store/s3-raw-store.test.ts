import {
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  HeadObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRawStore, type RawObject, RawStoreError, S3RawStore } from "@lignee/engine";
import { ENGINE_DIST } from "../../../../scripts/build-engine.mjs";
import { freePort } from "../../../../tests/support/free-port";
import { startS3Proxy, type S3Proxy } from "../../../../tests/support/s3proxy";
import { waitFor } from "../../../../tests/support/wait";
import { rawStoreContract } from "./raw-store-contract";

/**
 * S3RawStore against a real S3 server (S3Proxy over a temporary folder): the raw store
 * contract, with listings of 5 keys a page so that paging is exercised, then what only S3 has:
 * credentials, endpoints, buckets, multipart uploads.
 */
let proxy: S3Proxy;

beforeAll(async () => {
  proxy = await startS3Proxy();
});

afterAll(async () => {
  await proxy?.stop();
});

const PAGE_SIZE = 5;

function storeAt(
  url: string,
  overrides: Partial<ConstructorParameters<typeof S3RawStore>[1]> = {},
): S3RawStore {
  return proxy.store(url, { pageSize: PAGE_SIZE, ...overrides });
}

let prefixes = 0;
rawStoreContract("S3RawStore", async () => {
  prefixes += 1;
  const url = `s3://${proxy.bucket}/contract-${prefixes}`;
  return { store: storeAt(url), openAgain: () => storeAt(url) };
});

rawStoreContract("S3RawStore at a bucket's root", async () => {
  await proxy.createBucket("root-of-bucket");
  const url = "s3://root-of-bucket";
  return { store: storeAt(url), openAgain: () => storeAt(url) };
});

describe("S3RawStore on S3 itself", () => {
  let sdk: S3Client;
  let store: S3RawStore;

  beforeAll(() => {
    sdk = new S3Client({
      endpoint: proxy.endpoint,
      forcePathStyle: true,
      region: "us-east-1",
      credentials: proxy.credentials,
    });
    store = storeAt(`s3://${proxy.bucket}/s3-only/`);
  });

  afterAll(async () => {
    await store?.close();
    sdk?.destroy();
  });

  const uploadsLeft = async (): Promise<string[]> =>
    (
      (
        await sdk.send(
          new ListMultipartUploadsCommand({ Bucket: proxy.bucket, Prefix: "s3-only/" }),
        )
      ).Uploads ?? []
    ).map((u) => u.Key ?? "");

  it("stores keys under the prefix, with modifiedMs as user metadata, and lists nothing else", async () => {
    await store.write("raw/day.ndjson", Buffer.from("{}\n"), { modifiedMs: 1722549600000 });
    const listed = await sdk.send(
      new ListObjectsV2Command({ Bucket: proxy.bucket, Prefix: "s3-only/" }),
    );
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["s3-only/raw/day.ndjson"]);
    const head = await sdk.send(
      new HeadObjectCommand({ Bucket: proxy.bucket, Key: "s3-only/raw/day.ndjson" }),
    );
    expect(head.Metadata).toEqual({ "lignee-modified-ms": "1722549600000" });
    expect(await store.stat("raw/day.ndjson")).toMatchObject({ etag: head.ETag, size: 3 });
    expect(store.describe("raw/day.ndjson")).toBe(`s3://${proxy.bucket}/s3-only/raw/day.ndjson`);
    // Objects beside the prefix are not the store's.
    const beside = storeAt(`s3://${proxy.bucket}/s3-only-not`);
    try {
      await beside.write("x", Buffer.from("x"));
      expect((await all(store.list(""))).map((o) => o.key)).toEqual(["raw/day.ndjson"]);
    } finally {
      await beside.close();
    }
  });

  it("a multipart write in progress is an upload, not an object; a failed one leaves no upload", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const broken = new Error("the source broke");
    const write = store.write(
      "multipart/failing.ndjson",
      (async function* () {
        for (let i = 0; i < 10; i++) yield Buffer.alloc(1024 * 1024, i);
        await gate;
        throw broken;
      })(),
    );
    // The first 8 MiB part is on its way: an upload exists, no object yet.
    await waitFor("a multipart upload", async () =>
      (await uploadsLeft()).includes("s3-only/multipart/failing.ndjson") ? true : undefined,
    );
    expect(await store.stat("multipart/failing.ndjson")).toBeUndefined();
    release();
    await expect(write).rejects.toBe(broken);
    expect(await uploadsLeft()).toEqual([]);
    expect(await store.stat("multipart/failing.ndjson")).toBeUndefined();
  });

  it("a cancelled multipart write leaves no upload", async () => {
    const controller = new AbortController();
    const write = store.write(
      "multipart/cancelled.ndjson",
      (async function* () {
        for (let i = 0; i < 10; i++) yield Buffer.alloc(1024 * 1024, i);
        // A source that never ends by itself.
        await new Promise(() => undefined);
      })(),
      { signal: controller.signal },
    );
    await waitFor("a multipart upload", async () =>
      (await uploadsLeft()).includes("s3-only/multipart/cancelled.ndjson") ? true : undefined,
    );
    controller.abort();
    await expect(write).rejects.toMatchObject({ name: "AbortError" });
    expect(await uploadsLeft()).toEqual([]);
    expect(await store.stat("multipart/cancelled.ndjson")).toBeUndefined();
  });

  it("a wrong secret: ACCESS_DENIED naming the endpoint, and nothing written", async () => {
    const wrong = storeAt(`s3://${proxy.bucket}/s3-only`, {
      credentials: { accessKeyId: proxy.accessKeyId, secretAccessKey: "not-the-secret" },
    });
    try {
      const error = await wrong
        .write("denied/day.ndjson", Buffer.from("x"))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RawStoreError);
      expect(error).toMatchObject({ code: "ACCESS_DENIED" });
      expect((error as Error).message).toContain(`credentials refused by ${proxy.endpoint}`);
      expect((error as Error).message).toContain("denied/day.ndjson");
      for (const attempt of [
        () => wrong.stat("raw/day.ndjson"),
        () => all(wrong.list("")),
        () => all(wrong.read("raw/day.ndjson")),
        () => wrong.delete("raw/day.ndjson"),
      ])
        await expect(attempt()).rejects.toMatchObject({ code: "ACCESS_DENIED" });
    } finally {
      await wrong.close();
    }
    expect(await store.stat("denied/day.ndjson")).toBeUndefined();
    expect(await store.stat("raw/day.ndjson")).toBeDefined();
  });

  it("an unknown access key: ACCESS_DENIED", async () => {
    const stranger = storeAt(`s3://${proxy.bucket}/s3-only`, {
      credentials: { accessKeyId: "nobody", secretAccessKey: "nothing" },
    });
    try {
      for (const attempt of [
        () => stranger.stat("raw/day.ndjson"),
        () => all(stranger.read("raw/day.ndjson")),
        () => stranger.write("x", Buffer.from("x")),
      ])
        await expect(attempt()).rejects.toMatchObject({ code: "ACCESS_DENIED" });
    } finally {
      await stranger.close();
    }
  });

  it(
    "an endpoint nobody listens on: UNREACHABLE, naming it, after a few attempts",
    {
      timeout: 30_000,
    },
    async () => {
      const endpoint = `http://127.0.0.1:${await freePort()}`;
      const nowhere = storeAt(`s3://${proxy.bucket}/s3-only`, { endpoint });
      try {
        for (const attempt of [
          () => nowhere.stat("raw/day.ndjson"),
          () => all(nowhere.list("")),
          () => nowhere.write("x", Buffer.from("x")),
        ]) {
          const error = await attempt().catch((e: unknown) => e);
          expect(error).toMatchObject({ code: "UNREACHABLE" });
          expect((error as Error).message).toContain(`cannot reach ${endpoint}`);
        }
      } finally {
        await nowhere.close();
      }
    },
  );

  it("a bucket that does not exist: INVALID_STORE naming it", async () => {
    const missing = storeAt("s3://no-such-bucket/raw");
    try {
      for (const attempt of [
        () => missing.stat("day.ndjson"),
        () => all(missing.list("")),
        () => all(missing.read("day.ndjson")),
        () => missing.write("day.ndjson", Buffer.from("x")),
      ]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(error).toMatchObject({ code: "INVALID_STORE" });
        expect((error as Error).message).toContain('"no-such-bucket"');
      }
    } finally {
      await missing.close();
    }
  });

  it("openRawStore reaches the bucket as the environment says", async () => {
    const opened = openRawStore(`s3://${proxy.bucket}/s3-only`, {
      ...proxy.env,
      AWS_REGION: "eu-west-3",
    });
    try {
      expect(opened).toBeInstanceOf(S3RawStore);
      expect(await opened.stat("raw/day.ndjson")).toMatchObject({ modifiedMs: 1722549600000 });
    } finally {
      await opened.close();
    }
  });
});

describe("the built engine (packages/engine/dist)", () => {
  it("writes and reads raw files in a bucket, as LIGNEE_RAW_STORE and the AWS variables say", async () => {
    // Its bundle loads the AWS SDK on first use, from a chunk of its own.
    const script = `
      const { openRawStore } = await import(${JSON.stringify(path.join(ENGINE_DIST, "index.js"))});
      const store = openRawStore(process.env.LIGNEE_RAW_STORE);
      await store.write("raw/offres/offres-2024-08-01.ndjson", Buffer.from('{"id":1}\\n'));
      const chunks = [];
      for await (const chunk of store.read("raw/offres/offres-2024-08-01.ndjson")) chunks.push(chunk);
      const keys = [];
      for await (const object of store.list("raw/")) keys.push(object.key);
      await store.close();
      console.log(JSON.stringify({ text: Buffer.concat(chunks).toString(), keys }));
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--input-type=module", "-e", script],
      {
        env: {
          PATH: process.env.PATH,
          LIGNEE_RAW_STORE: `s3://${proxy.bucket}/built-engine`,
          AWS_ENDPOINT_URL: proxy.endpoint,
          AWS_ACCESS_KEY_ID: proxy.accessKeyId,
          AWS_SECRET_ACCESS_KEY: proxy.secretAccessKey,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        },
      },
    );
    expect(JSON.parse(stdout)).toEqual({
      text: '{"id":1}\n',
      keys: ["raw/offres/offres-2024-08-01.ndjson"],
    });
  });
});

async function all<T = RawObject | Uint8Array>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}
