import { stat } from "node:fs/promises";
import type { AssetDetails } from "../definitions/asset";
import { readManifest, type DbtManifest, type ManifestNode } from "./manifest";

/**
 * A dbt model's columns (with their descriptions from schema.yml) and SQL, read from
 * `target/manifest.json` when asked for (the asset page), never when the definitions load.
 * The manifest is read again only when its file changed (e.g. a `dbt compile` adds the
 * compiled SQL), so a page polling the asset costs one `stat`.
 */
export function modelDetails(manifestFile: string, uniqueId: string): () => Promise<AssetDetails> {
  return async () => {
    const manifest = await cachedManifest(manifestFile);
    const node = manifest.nodes[uniqueId];
    return node ? detailsOf(node) : {};
  };
}

function detailsOf(node: ManifestNode): AssetDetails {
  return {
    columns: Object.values(node.columns ?? {}).map((c) => ({
      name: c.name,
      type: c.data_type ?? null,
      description: c.description ? c.description.trim() : null,
    })),
    ...(node.raw_code !== undefined
      ? {
          code: {
            language: node.language ?? "sql",
            raw: node.raw_code,
            ...(node.compiled_code ? { compiled: node.compiled_code } : {}),
          },
        }
      : {}),
  };
}

const cache = new Map<string, { mtimeMs: number; manifest: Promise<DbtManifest> }>();

/**
 * Keeps the manifest `loadDbtAssets` has just read as the one of `file` at its current
 * modification time, so that the first asset page does not read and parse it again.
 */
export async function keepManifest(file: string, manifest: DbtManifest): Promise<void> {
  const { mtimeMs } = await stat(file);
  cache.set(file, { mtimeMs, manifest: Promise.resolve(manifest) });
}

async function cachedManifest(file: string): Promise<DbtManifest> {
  const { mtimeMs } = await stat(file);
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.manifest;
  const manifest = readManifest(file);
  cache.set(file, { mtimeMs, manifest });
  manifest.catch(() => cache.delete(file));
  return manifest;
}
