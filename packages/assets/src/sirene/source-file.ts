import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { FileRawStore, type RawStore } from "@lignee/engine";
import { generateStockEtablissement } from "./generator";

export interface SireneSource {
  /** Where it is, for a reader: a path on this machine, or an `s3://` URL. */
  readonly file: string;
  /** True when no official file was found and a synthetic one stands in. */
  readonly synthetic: boolean;
  /** An official file in a raw store that is not a folder of this machine: its store and key. */
  readonly object?: { readonly store: RawStore; readonly key: string };
}

/** Where INSEE's file is dropped, in the raw store. */
const SIRENE_PREFIX = "raw/sirene/";
const OFFICIAL = /^StockEtablissement.*\.(zip|csv)$/i;

/**
 * The StockEtablissement file to load: the newest `StockEtablissement*.zip|csv` in
 * `<dataDir>/raw/sirene/` (drop INSEE's file there), else a synthetic file in INSEE's format,
 * generated once under `<dataDir>/raw/sirene/synthetic/` with `syntheticRows` establishments.
 */
export async function sireneSource(
  dataDir: string,
  options: { syntheticRows: number; seed?: number; signal?: AbortSignal; store?: RawStore },
): Promise<SireneSource> {
  const dir = path.join(dataDir, "raw", "sirene");
  if (options.store && !(options.store instanceof FileRawStore)) {
    const newest = await newestOfficialObject(options.store, options.signal);
    if (newest)
      return {
        file: options.store.describe(newest),
        synthetic: false,
        object: { store: options.store, key: newest },
      };
  }
  const folder =
    options.store instanceof FileRawStore
      ? path.dirname(options.store.describe(`${SIRENE_PREFIX}x`))
      : dir;
  const official = existsSync(folder)
    ? readdirSync(folder)
        .filter((f) => OFFICIAL.test(f))
        .map((f) => path.join(folder, f))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    : [];
  if (official[0]) return { file: official[0], synthetic: false };
  const seed = options.seed ?? 1;
  const file = path.join(
    dir,
    "synthetic",
    `StockEtablissement_synthetic_${options.syntheticRows}_seed${seed}.csv`,
  );
  if (!existsSync(file)) {
    await mkdir(path.dirname(file), { recursive: true });
    // A temporary name, then a rename: a process killed midway never leaves a short file behind.
    const temp = `${file}.${process.pid}.tmp`;
    await generateStockEtablissement(temp, {
      rows: options.syntheticRows,
      seed,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await rename(temp, file);
  }
  return { file, synthetic: true };
}

/** The key of the newest official file directly in the store's `raw/sirene/`, if any. */
async function newestOfficialObject(
  store: RawStore,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  let newest: { key: string; modifiedMs: number } | undefined;
  for await (const o of store.list(SIRENE_PREFIX, signal ? { signal } : {})) {
    const name = o.key.slice(SIRENE_PREFIX.length);
    if (name.includes("/") || !OFFICIAL.test(name)) continue;
    // Times to the second in S3: of two files of the same second, the last by name.
    const later =
      !newest ||
      o.modifiedMs > newest.modifiedMs ||
      (o.modifiedMs === newest.modifiedMs && o.key > newest.key);
    if (later) newest = o;
  }
  return newest?.key;
}
