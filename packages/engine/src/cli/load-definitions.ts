import { existsSync } from "node:fs";
import path from "node:path";
import { Definitions } from "../definitions/definitions";
import { LigneeError } from "../errors";
import { findDefinitionsModule, HOW_TO_CONFIGURE } from "./lignee-config";
import { importProjectModule } from "./project-module";

/**
 * The definitions module to load: `modulePath` when given (`--definitions`), else the one the
 * project's configuration declares (see `findDefinitionsModule`). Without either, a
 * DEFINITION_INVALID error says how to configure one: the engine never guesses where a
 * project's definitions live.
 */
export async function definitionsModulePath(
  modulePath: string | undefined,
  cwd: string = process.cwd(),
): Promise<string> {
  if (modulePath !== undefined) return path.resolve(cwd, modulePath);
  const found = await findDefinitionsModule(cwd);
  if (found === undefined) {
    throw new LigneeError("DEFINITION_INVALID", `no definitions configured: ${HOW_TO_CONFIGURE}`);
  }
  if (!existsSync(found.module)) {
    throw new LigneeError(
      "DEFINITION_INVALID",
      `definitions module not found: ${found.module} (declared in ${found.declaredIn})`,
    );
  }
  return found.module;
}

/**
 * Imports a module and returns the Definitions it exports (as `default` or `definitions`).
 * Validation errors raised while the module builds its definitions propagate unchanged.
 */
export async function loadDefinitions(
  modulePath: string | undefined,
  cwd: string = process.cwd(),
): Promise<Definitions<unknown>> {
  const file = await definitionsModulePath(modulePath, cwd);
  if (!existsSync(file)) {
    throw new LigneeError("DEFINITION_INVALID", `definitions module not found: ${file}`);
  }
  const mod = await importProjectModule(file);
  const candidate = mod.default ?? mod.definitions;
  if (!(candidate instanceof Definitions)) {
    throw new LigneeError(
      "DEFINITION_INVALID",
      `${file} must export Definitions (Definitions.create(...)) as "default" or "definitions"`,
    );
  }
  return candidate;
}
