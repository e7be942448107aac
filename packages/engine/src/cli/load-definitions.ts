import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Definitions } from "../definitions/definitions";
import { LigneeError } from "../errors";

const REPO_ROOT = path.resolve(fileURLToPath(new URL("../../../..", import.meta.url)));

/** The job-offer definitions when they exist, else the example set shipped with the engine. */
export function defaultDefinitionsPath(): string {
  const assets = path.join(REPO_ROOT, "packages/assets/src/definitions.ts");
  if (existsSync(assets)) return assets;
  return path.join(REPO_ROOT, "packages/engine/src/examples/example-definitions.ts");
}

/**
 * Imports a module and returns the Definitions it exports (as `default` or `definitions`).
 * Validation errors raised while the module builds its definitions propagate unchanged.
 */
export async function loadDefinitions(
  modulePath: string | undefined,
): Promise<Definitions<unknown>> {
  const file = path.resolve(modulePath ?? defaultDefinitionsPath());
  if (!existsSync(file)) {
    throw new LigneeError("DEFINITION_INVALID", `definitions module not found: ${file}`);
  }
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const candidate = mod.default ?? mod.definitions;
  if (!(candidate instanceof Definitions)) {
    throw new LigneeError(
      "DEFINITION_INVALID",
      `${file} must export Definitions (Definitions.create(...)) as "default" or "definitions"`,
    );
  }
  return candidate;
}
