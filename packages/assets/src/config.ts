import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

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
 * undefined when it names another store (`s3://…`).
 */
export function rawStoreFolder(setting = rawStoreSetting()): string | undefined {
  const value = setting.trim();
  if (/^file:/i.test(value)) return fileURLToPath(value);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value) || /^[a-z]:[\\/]/i.test(value))
    return path.resolve(value);
  return undefined;
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
