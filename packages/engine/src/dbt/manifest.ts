import { readFile } from "node:fs/promises";

/** The parts of dbt's `target/manifest.json` the engine reads. */
export interface ManifestNode {
  readonly unique_id: string;
  readonly resource_type: string;
  readonly name: string;
  readonly package_name: string;
  readonly original_file_path: string;
  /** The schema and name of the model's table or view (the database is the parse's placeholder). */
  readonly schema?: string;
  readonly alias?: string | null;
  readonly fqn: readonly string[];
  readonly raw_code?: string;
  /** Set once dbt compiled the node (`dbt compile`), not by `dbt parse`. */
  readonly compiled_code?: string;
  readonly language?: string;
  readonly columns?: Readonly<
    Record<
      string,
      { readonly name: string; readonly description?: string; readonly data_type?: string | null }
    >
  >;
  readonly checksum?: { readonly checksum: string };
  readonly config?: {
    readonly materialized?: string;
    readonly severity?: string;
    readonly meta?: Record<string, unknown>;
  } & Record<string, unknown>;
  readonly meta?: Record<string, unknown>;
  readonly tags?: readonly string[];
  readonly description?: string;
  readonly depends_on?: { readonly nodes?: readonly string[] };
  readonly attached_node?: string | null;
  readonly test_metadata?: {
    readonly name?: string;
    readonly kwargs?: Record<string, unknown>;
  } | null;
}

export interface ManifestSource {
  readonly unique_id: string;
  readonly name: string;
  readonly source_name: string;
  readonly meta?: Record<string, unknown>;
  readonly config?: { readonly meta?: Record<string, unknown> };
}

export interface DbtManifest {
  readonly nodes: Readonly<Record<string, ManifestNode>>;
  readonly sources: Readonly<Record<string, ManifestSource>>;
}

export async function readManifest(file: string): Promise<DbtManifest> {
  const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<DbtManifest>;
  if (!parsed.nodes || !parsed.sources)
    throw new Error(`${file} is not a dbt manifest (no nodes or sources)`);
  return { nodes: parsed.nodes, sources: parsed.sources };
}

/** A node's `meta`, from its config (dbt ≥ 1.10) or the node itself. */
export function metaOf(node: {
  meta?: Record<string, unknown>;
  config?: { meta?: Record<string, unknown> };
}): Record<string, unknown> {
  return { ...(node.meta ?? {}), ...(node.config?.meta ?? {}) };
}

/** The model a dbt test checks: `attached_node`, else its only model dependency. */
export function testedModel(test: ManifestNode): string | undefined {
  if (test.attached_node) return test.attached_node;
  const models = (test.depends_on?.nodes ?? []).filter((n) => n.startsWith("model."));
  return models.length === 1 ? models[0] : models[0];
}
