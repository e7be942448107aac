import { z } from "zod";
import { clip, InvalidConfigError, type ConfigIssue } from "../errors";
import type { AssetDefinition, ConfigSchema } from "./asset";

/**
 * A run's config: per asset key, what that asset's `config` schema takes, like the `ops:` of a
 * Dagster run config. A run that materializes several assets gives each its own entry:
 *
 * @example
 * const config: RunConfig = {
 *   "raw/offres": { pageSize: 50 },
 *   "dbt/fait_offre_emploi": { fullRefresh: true },
 * };
 */
export type RunConfig = Readonly<Record<string, unknown>>;

/** The largest run config taken, as JSON in UTF-8: it is stored with every run. */
export const MAX_CONFIG_BYTES = 65_536;

/** A config's size as JSON in UTF-8; Infinity when it is not JSON (a cycle, a bigint). */
function serializedSize(config: RunConfig): number {
  try {
    return new TextEncoder().encode(JSON.stringify(config)).length;
  } catch {
    return Infinity;
  }
}

/**
 * Validates a run's config against the config schemas of the assets it may materialize and
 * answers the config as the run stores it: per asset with a schema, the schema's output (defaults
 * applied; an asset given nothing is parsed from `{}`). Every problem is reported at once: a key
 * naming an asset outside `assets`, or an asset without a schema, and each issue of each schema.
 * A config over `MAX_CONFIG_BYTES` as JSON is refused whole, as given and as it would be stored
 * (defaults filled in); not with `stored` (a run's stored config validated again, when a worker
 * plans it or a run is executed again: the cap held when it was accepted).
 *
 * @example
 * resolveRunConfig([offres], { "raw/offres": {} }) // { "raw/offres": { pageSize: 150 } }
 */
export function resolveRunConfig(
  assets: readonly Pick<AssetDefinition<unknown>, "key" | "config">[],
  given: RunConfig,
  options: { readonly stored?: boolean } = {},
): Record<string, unknown> {
  const capped = options.stored !== true;
  // Checked first on what was given: a huge config is refused before it is parsed.
  if (capped) checkConfigSize(given);
  const issues: ConfigIssue[] = [];
  const byKey = new Map(assets.map((a) => [a.key, a]));
  const resolved: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    const asset = byKey.get(key);
    // What was sent is quoted, never echoed whole (a key of 10,000 characters).
    if (!asset)
      issues.push({
        assetKey: clip(key),
        path: [],
        message: "the run does not materialize this asset",
      });
    else if (!asset.config)
      issues.push({ assetKey: key, path: [], message: "this asset takes no config" });
  }
  for (const asset of assets) {
    if (!asset.config) continue;
    const parsed = asset.config.safeParse(configOf(given, asset.key) ?? {});
    if (parsed.success) resolved[asset.key] = parsed.data;
    else
      issues.push(
        ...parsed.error.issues.map((i) => ({
          assetKey: asset.key,
          path: i.path.map((p) => (typeof p === "number" ? p : clip(String(p)))),
          message: i.message.length > 200 ? clip(i.message) : i.message,
        })),
      );
  }
  if (issues.length > 0) throw new InvalidConfigError(issues);
  if (capped) checkConfigSize(resolved);
  return resolved;
}

function checkConfigSize(config: RunConfig): void {
  const size = serializedSize(config);
  if (size > MAX_CONFIG_BYTES)
    throw new InvalidConfigError(
      [],
      size === Infinity
        ? "it cannot be written as JSON"
        : `it is ${size.toLocaleString("en-US")} bytes as JSON, over the limit of ${MAX_CONFIG_BYTES.toLocaleString("en-US")} (64 KiB)`,
    );
}

/**
 * A config schema as JSON Schema, as a client sees it (its input: fields with defaults are
 * optional); throws for what JSON Schema cannot express (see `configSchemaProblem`). The same
 * object is answered for the same schema: it must not be changed.
 */
export function configJsonSchema(schema: ConfigSchema): Record<string, unknown> {
  let json = jsonSchemas.get(schema);
  if (!json) {
    json = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
    jsonSchemas.set(schema, json);
  }
  return json;
}

/** The JSON Schema of each schema, computed once: `GET /api/assets` answers it for every asset. */
const jsonSchemas = new WeakMap<ConfigSchema, Record<string, unknown>>();

/**
 * Why an asset's config schema cannot be used, or undefined: it cannot be represented as JSON,
 * or it transforms what it is given (`transform`, `preprocess`, codecs). A run stores its config
 * as validated (defaults applied) and the worker that executes it validates the stored config
 * again: for that second parse to change nothing, a schema's output must be a valid input giving
 * itself back, which defaults, `catch`, coercion and pipes without transforms are.
 */
export function configSchemaProblem(key: string, schema: ConfigSchema): string | undefined {
  const transformAt = findTransform(schema, [], new Set());
  if (transformAt)
    return `asset "${key}": its config schema transforms what it is given (at "${transformAt.join(".") || "(root)"}"): the config a run stores is parsed again when the run executes; validate only, and transform in the asset`;
  try {
    configJsonSchema(schema);
    return undefined;
  } catch (error) {
    return `asset "${key}": its config schema cannot be represented as JSON (${(error as Error).message})`;
  }
}

/**
 * The path (object keys) of the first transform inside a schema, or undefined. zod 4 describes
 * every schema by `_zod.def`; the walk follows whatever schemas a definition holds (inner types,
 * object shapes, options, pipes, lazy getters), once each.
 */
function findTransform(
  schema: unknown,
  path: readonly string[],
  seen: Set<unknown>,
): readonly string[] | undefined {
  if (seen.has(schema)) return undefined;
  seen.add(schema);
  const def = (schema as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
  if (!def) return undefined;
  // A codec is a pipe with a transform of its own; `preprocess` a pipe from a transform.
  if (def.type === "transform" || (def.type === "pipe" && "transform" in def)) return path;
  for (const [name, value] of Object.entries(def)) {
    if (name === "getter" && typeof value === "function") {
      const found = findTransform((value as () => unknown)(), path, seen);
      if (found) return found;
    } else if (name === "shape" && typeof value === "object" && value !== null) {
      for (const [field, inner] of Object.entries(value)) {
        const found = findTransform(inner, [...path, field], seen);
        if (found) return found;
      }
    } else if (Array.isArray(value)) {
      for (const inner of value) {
        const found = findTransform(inner, path, seen);
        if (found) return found;
      }
    } else if (isSchema(value)) {
      const found = findTransform(value, path, seen);
      if (found) return found;
    }
  }
  return undefined;
}

function isSchema(value: unknown): boolean {
  return typeof value === "object" && value !== null && "_zod" in value;
}

/**
 * An asset's entry of a run config, or undefined: own keys only, so that an asset keyed
 * `constructor` is not given `Object.prototype.constructor`.
 */
export function configOf(config: RunConfig | undefined, assetKey: string): unknown {
  return config !== undefined && Object.hasOwn(config, assetKey) ? config[assetKey] : undefined;
}

/** Whether a value is a run config: a JSON object (per asset key, anything). */
export function isRunConfig(value: unknown): value is RunConfig {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
