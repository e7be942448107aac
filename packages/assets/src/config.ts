import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  openRawStore,
  rawStoreFolder as folderOf,
  RawStoreError,
  type RawStore,
} from "@lignee/engine";

const REPO_ROOT = path.resolve(fileURLToPath(new URL("../../..", import.meta.url)));

/**
 * Where raw files live (`raw/offres/offres-YYYY-MM-DD.ndjson`, `raw/sirene/…`):
 * `$LIGNEE_DATA_DIR`, default `data/` at the repository root.
 */
export function dataDir(): string {
  return path.resolve(process.env.LIGNEE_DATA_DIR ?? path.join(REPO_ROOT, "data"));
}

/**
 * Where the raw files are stored (`raw/offres/…`), shared by every worker:
 * `$LIGNEE_RAW_STORE` (`file:///folder`, or `s3://bucket/prefix` with the endpoint, region and
 * credentials of the AWS environment variables), default the data folder (`dataDir`).
 */
export function rawStoreSetting(): string {
  const setting = process.env.LIGNEE_RAW_STORE;
  return setting !== undefined && setting.trim() !== "" ? setting : pathToFileURL(dataDir()).href;
}

/**
 * The folder of this machine the raw store setting names (`file:///…`, or a plain path), or
 * undefined when it names a bucket (`s3://…`); a setting that is neither fails (INVALID_STORE,
 * naming LIGNEE_RAW_STORE).
 */
export function rawStoreFolder(): string | undefined {
  return named(() => folderOf(rawStoreSetting()));
}

/** The raw store of the setting (`rawStoreSetting`); a bad one fails naming LIGNEE_RAW_STORE. */
export function configuredRawStore(): RawStore {
  return named(() => openRawStore(rawStoreSetting()));
}

function named<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof RawStoreError && error.code === "INVALID_STORE")
      throw new RawStoreError("INVALID_STORE", `LIGNEE_RAW_STORE: ${error.message}`, {
        cause: error,
      });
    throw error;
  }
}

/** A positive number from the environment, or the default. */
export function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`${name} must be a non-negative number (got "${raw}")`);
  return n;
}
