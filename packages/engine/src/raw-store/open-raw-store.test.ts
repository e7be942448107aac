import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import {
  FileRawStore,
  openRawStore,
  parseS3Url,
  rawStoreFolder,
  RawStoreError,
  S3RawStore,
  s3OptionsFromEnv,
} from "@lignee/engine";

/** What a setting opens, and the clear refusals of the ones it cannot (no server involved). */
function refusal(setting: string, env: NodeJS.ProcessEnv = {}): RawStoreError {
  try {
    openRawStore(setting, env);
  } catch (error) {
    expect(error).toBeInstanceOf(RawStoreError);
    return error as RawStoreError;
  }
  throw new Error(`${setting} was accepted`);
}

describe("openRawStore", () => {
  it("opens a folder from a file:// URL or a path", () => {
    const store = openRawStore("file:///srv/lignee/data", {});
    expect(store).toBeInstanceOf(FileRawStore);
    expect(store.url).toBe("file:///srv/lignee/data");
    const relative = openRawStore("data", {});
    expect(relative).toBeInstanceOf(FileRawStore);
    expect(relative.url).toBe(pathToFileURL(path.resolve("data")).href);
  });

  it("opens a bucket, with or without a prefix", () => {
    const store = openRawStore("s3://lake/lignee/raw", {});
    expect(store).toBeInstanceOf(S3RawStore);
    expect(store.url).toBe("s3://lake/lignee/raw");
    expect(store.describe("raw/offres/day.ndjson")).toBe(
      "s3://lake/lignee/raw/raw/offres/day.ndjson",
    );
    expect(openRawStore("s3://lake", {}).describe("a/b")).toBe("s3://lake/a/b");
    expect(openRawStore("s3://lake/", {}).describe("a/b")).toBe("s3://lake/a/b");
    expect(openRawStore("  s3://lake/prefix/  ", {}).describe("a")).toBe("s3://lake/prefix/a");
  });

  it("refuses an s3:// URL without a bucket, naming the forms accepted", () => {
    for (const setting of ["s3://", "s3:///raw", "s3:bucket/raw"]) {
      const error = refusal(setting);
      expect(error.code).toBe("INVALID_STORE");
      expect(error.message).toContain("names no bucket");
      expect(error.message).toContain("s3://bucket/prefix");
    }
  });

  it("refuses what does not belong in an s3:// URL", () => {
    expect(refusal("s3://key:secret@lake/raw").message).toContain("AWS_ACCESS_KEY_ID");
    expect(refusal("s3://lake:9000/raw").message).toContain("AWS_ENDPOINT_URL");
    expect(refusal("s3://lake/raw?versioning=1").message).toContain("no query");
    expect(refusal("s3://lake/a//b").message).toContain("segment");
    expect(refusal("s3://lake/a/../b").message).toContain("segment");
    expect(refusal("s3://l/raw").message).toContain("not a bucket name");
    for (const setting of ["s3://key:secret@lake/raw", "s3://lake:9000/raw", "s3://l/raw"])
      expect(refusal(setting).code).toBe("INVALID_STORE");
  });

  it("refuses an unknown scheme, an empty setting, a file:// URL of another host", () => {
    expect(refusal("ftp://host/raw").message).toContain("the scheme ftp is not one of file or s3");
    expect(refusal("gs://bucket/raw").code).toBe("INVALID_STORE");
    expect(refusal("   ").message).toContain("it is empty");
    expect(refusal("file://server/raw").message).toContain("not host server");
  });

  it("refuses a file URL that is not file:///absolute/folder, as rawStoreFolder does, without a TypeError", () => {
    expect(refusal("file:data").message).toContain("starts with file://");
    expect(refusal("file:///a%2Fb").code).toBe("INVALID_STORE");
    for (const bad of ["file:data", "file:///a%2Fb", "file://server/raw", "ftp://x/y", ""])
      expect(() => rawStoreFolder(bad)).toThrow(RawStoreError);
    expect(rawStoreFolder("file:///srv/lignee")).toBe("/srv/lignee");
    expect(rawStoreFolder("data")).toBe(path.resolve("data"));
    expect(rawStoreFolder("s3://lake/lignee")).toBeUndefined();
  });

  it("refuses half a pair of keys, and an endpoint that is not an http(s) URL", () => {
    expect(refusal("s3://lake", { AWS_ACCESS_KEY_ID: "id" }).message).toContain(
      "AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY",
    );
    expect(refusal("s3://lake", { AWS_SECRET_ACCESS_KEY: "secret" }).message).toContain(
      "AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID",
    );
    expect(refusal("s3://lake", { AWS_ENDPOINT_URL: "minio:9000" }).message).toContain(
      "not an http:// or https:// URL",
    );
  });
});

describe("s3OptionsFromEnv", () => {
  it("reads the endpoint, the region and the keys, the S3-specific endpoint first", () => {
    expect(
      s3OptionsFromEnv({
        AWS_ENDPOINT_URL: "http://general:9000",
        AWS_ENDPOINT_URL_S3: "http://s3-only:9000",
        AWS_DEFAULT_REGION: "eu-west-1",
        AWS_REGION: "eu-west-3",
        AWS_ACCESS_KEY_ID: "id",
        AWS_SECRET_ACCESS_KEY: "secret",
        AWS_SESSION_TOKEN: "session",
      }),
    ).toEqual({
      endpoint: "http://s3-only:9000",
      region: "eu-west-3",
      credentials: { accessKeyId: "id", secretAccessKey: "secret", sessionToken: "session" },
    });
    expect(
      s3OptionsFromEnv({
        AWS_ENDPOINT_URL: "http://general:9000",
        AWS_DEFAULT_REGION: "eu-west-1",
      }),
    ).toEqual({ endpoint: "http://general:9000", region: "eu-west-1" });
  });

  it("treats empty variables (compose passes unset ones empty) as unset: the SDK's defaults", () => {
    expect(
      s3OptionsFromEnv({
        AWS_ENDPOINT_URL: "",
        AWS_REGION: "",
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: " ",
      }),
    ).toEqual({});
  });
});

describe("parseS3Url", () => {
  it("splits bucket and prefix, decoding the path", () => {
    expect(parseS3Url("s3://lake/lignee/raw/")).toEqual({ bucket: "lake", prefix: "lignee/raw" });
    expect(parseS3Url("s3://lake")).toEqual({ bucket: "lake", prefix: "" });
    expect(parseS3Url("s3://lake/raw%20files")).toEqual({ bucket: "lake", prefix: "raw files" });
  });
});

describe("S3RawStore options", () => {
  it("refuses a page size or a part size S3 does not allow", () => {
    expect(() => new S3RawStore("s3://lake", { pageSize: 0 })).toThrow(/pageSize/);
    expect(() => new S3RawStore("s3://lake", { pageSize: 1001 })).toThrow(/pageSize/);
    expect(() => new S3RawStore("s3://lake", { partSize: 1024 * 1024 })).toThrow(/partSize/);
  });
});
