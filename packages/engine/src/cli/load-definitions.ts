import { existsSync } from "node:fs";
import path from "node:path";
import { Definitions } from "../definitions/definitions";
import { LigneeError } from "../errors";
import { findDefinitionsModule, HOW_TO_CONFIGURE } from "./lignee-config";
import { importProjectFiles } from "./project-module";
import { definitionsVersion } from "../reload/definitions-version";
import type { LoadedModule } from "../reload/reloadable-definitions";

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
  return (await importDefinitions(modulePath, cwd)).definitions;
}

/**
 * `loadDefinitions`, with the files the definitions come from (their modules, and what they
 * declare they read: `Definitions.watch`) and their version (`definitionsVersion`). Each call
 * evaluates the module again.
 */
export async function loadDefinitionsModule(
  modulePath: string | undefined,
  cwd: string = process.cwd(),
): Promise<LoadedModule> {
  const { definitions, files, digest } = await importDefinitions(modulePath, cwd);
  return {
    definitions,
    files: [...files, ...definitions.watch],
    version: await definitionsVersion(definitions, await digest()),
  };
}

async function importDefinitions(
  modulePath: string | undefined,
  cwd: string,
): Promise<{
  definitions: Definitions<unknown>;
  files: readonly string[];
  digest: () => Promise<string>;
}> {
  const file = await definitionsModulePath(modulePath, cwd);
  if (!existsSync(file)) {
    throw new LigneeError("DEFINITION_INVALID", `definitions module not found: ${file}`);
  }
  const { module: mod, files, digest } = await importProjectFiles(file);
  const candidate = mod.default ?? mod.definitions;
  if (!(candidate instanceof Definitions)) {
    throw new LigneeError(
      "DEFINITION_INVALID",
      `${file} must export Definitions (Definitions.create(...)) as "default" or "definitions"`,
    );
  }
  return { definitions: candidate, files, digest };
}
