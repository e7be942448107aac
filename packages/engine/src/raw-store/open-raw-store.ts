import path from "node:path";
import { fileURLToPath } from "node:url";
import { RawStoreError, type RawStore } from "../definitions/raw-store";
import { FileRawStore } from "./file-raw-store";
import { S3RawStore } from "./s3-raw-store";

/**
 * The raw store a setting names: `file:///abs/folder` (or a plain path, relative to the working
 * directory) for a folder of this machine; `s3://bucket` or `s3://bucket/prefix` for a bucket of
 * S3 or of an S3-compatible store, reached as `env` says (AWS_ENDPOINT_URL, AWS_REGION,
 * AWS_ACCESS_KEY_ID…: see `s3OptionsFromEnv`). Anything else is INVALID_STORE, naming the forms
 * accepted.
 *
 * @example
 * openRawStore(process.env.LIGNEE_RAW_STORE ?? "file:///srv/lignee/data")
 */
export function openRawStore(setting: string, env: NodeJS.ProcessEnv = process.env): RawStore {
  const folder = rawStoreFolder(setting);
  if (folder !== undefined) return new FileRawStore(folder);
  return S3RawStore.fromEnv(setting.trim(), env);
}

/**
 * The folder of this machine a raw store setting names (`file:///abs/folder`, or a plain path,
 * resolved from the working directory), or undefined for an `s3://` setting. Throws
 * INVALID_STORE for anything else, as `openRawStore` does, without making a store.
 */
export function rawStoreFolder(setting: string): string | undefined {
  const value = setting.trim();
  if (value === "") throw invalid(setting, "it is empty");
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value) || /^[a-z]:[\\/]/i.test(value))
    return path.resolve(value);
  const url = parseUrl(setting, value);
  if (url.protocol === "s3:") return undefined;
  if (url.protocol !== "file:")
    throw invalid(setting, `the scheme ${url.protocol.slice(0, -1)} is not one of file or s3`);
  if (!/^file:\/\//i.test(value))
    throw invalid(setting, "a file URL starts with file:// and names an absolute folder");
  if (url.host !== "" && url.host !== "localhost")
    throw invalid(setting, `a file:// URL names a folder of this machine, not host ${url.host}`);
  try {
    return fileURLToPath(url);
  } catch (error) {
    throw invalid(setting, (error as Error).message);
  }
}

function parseUrl(setting: string, value: string): URL {
  try {
    return new URL(value);
  } catch (error) {
    throw invalid(setting, (error as Error).message);
  }
}

function invalid(setting: string, why: string): RawStoreError {
  return new RawStoreError(
    "INVALID_STORE",
    `raw store ${JSON.stringify(setting)}: ${why} (expected file:///folder or s3://bucket/prefix)`,
  );
}
