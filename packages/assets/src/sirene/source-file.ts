import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { generateStockEtablissement } from "./generator";

export interface SireneSource {
  readonly file: string;
  /** True when no official file was found and a synthetic one stands in. */
  readonly synthetic: boolean;
}

/**
 * The StockEtablissement file to load: the newest `StockEtablissement*.zip|csv` in
 * `<dataDir>/raw/sirene/` (drop INSEE's file there), else a synthetic file in INSEE's format,
 * generated once under `<dataDir>/raw/sirene/synthetic/` with `syntheticRows` establishments.
 */
export async function sireneSource(
  dataDir: string,
  options: { syntheticRows: number; seed?: number; signal?: AbortSignal },
): Promise<SireneSource> {
  const dir = path.join(dataDir, "raw", "sirene");
  const official = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /^StockEtablissement.*\.(zip|csv)$/i.test(f))
        .map((f) => path.join(dir, f))
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
