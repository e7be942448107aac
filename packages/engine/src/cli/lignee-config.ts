import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { LigneeError } from "../errors";
import { importProjectModule } from "./project-module";

/**
 * What a project tells Lignée about itself, in a `lignee.config.ts` (its default export) or in
 * the `lignee` field of its package.json.
 *
 * @example
 * // lignee.config.ts
 * import type { LigneeConfig } from "@lignee/engine";
 * export default { definitions: "./src/definitions.ts" } satisfies LigneeConfig;
 */
export interface LigneeConfig {
  /** The module exporting the Definitions, relative to the file that says so. */
  readonly definitions: string;
}

/** The config file names looked for, in this order, before package.json's `lignee` field. */
export const CONFIG_FILES = ["lignee.config.ts", "lignee.config.mts", "lignee.config.js"] as const;

/** Where the default definitions were found, for messages. */
export interface DefinitionsLocation {
  /** Absolute path of the definitions module. */
  readonly module: string;
  /** The file that named it (a config file or a package.json). */
  readonly declaredIn: string;
}

/** How to configure the default definitions, for the error raised when there are none. */
export const HOW_TO_CONFIGURE =
  'give --definitions path/to/module.ts, or declare the module in a lignee.config.ts (export default { definitions: "./src/definitions.ts" }) or in package.json ("lignee": { "definitions": "src/definitions.ts" })';

/**
 * The definitions module a project declares: walking up from `cwd` to the nearest directory
 * with a package.json (the project's root), the first `lignee.config.*` found, else that
 * package.json's `lignee.definitions`. Undefined when nothing declares one. A config that is
 * there but malformed throws (DEFINITION_INVALID), naming the file.
 */
export async function findDefinitionsModule(
  cwd: string = process.cwd(),
): Promise<DefinitionsLocation | undefined> {
  for (const dir of ancestors(path.resolve(cwd))) {
    for (const name of CONFIG_FILES) {
      const file = path.join(dir, name);
      if (existsSync(file)) return locate(await readConfigFile(file), file);
    }
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      const field = readManifestField(manifest);
      return field === undefined ? undefined : locate(field, manifest);
    }
  }
  return undefined;
}

function* ancestors(dir: string): Generator<string> {
  let current = dir;
  for (;;) {
    yield current;
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

function locate(config: unknown, file: string): DefinitionsLocation {
  const definitions = (config as Partial<Record<string, unknown>> | null)?.definitions;
  if (typeof definitions !== "string" || definitions.trim() === "") {
    throw new LigneeError(
      "DEFINITION_INVALID",
      `${file}: the Lignée configuration needs "definitions", the path of the module exporting the Definitions`,
    );
  }
  return { module: path.resolve(path.dirname(file), definitions), declaredIn: file };
}

async function readConfigFile(file: string): Promise<unknown> {
  const mod = (await importProjectModule(file)) as { default?: unknown };
  return mod.default;
}

/** The `lignee` field of a package.json; undefined when it has none. */
function readManifestField(file: string): unknown {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new LigneeError("DEFINITION_INVALID", `${file} is not valid JSON`, { cause: error });
  }
  return (manifest as Partial<Record<string, unknown>> | null)?.lignee;
}
