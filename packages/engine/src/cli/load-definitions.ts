import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Definitions } from "../definitions/definitions";
import { LigneeError } from "../errors";
import { findDefinitionsModule, HOW_TO_CONFIGURE } from "./lignee-config";
import { importProjectFiles } from "./project-module";
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
  return (await loadDefinitionsModule(modulePath, cwd)).definitions;
}

/**
 * `loadDefinitions`, with the files the definitions come from and their version: a digest of
 * those files' contents, the same on every machine that has the same files.
 */
export async function loadDefinitionsModule(
  modulePath: string | undefined,
  cwd: string = process.cwd(),
): Promise<LoadedModule> {
  const file = await definitionsModulePath(modulePath, cwd);
  if (!existsSync(file)) {
    throw new LigneeError("DEFINITION_INVALID", `definitions module not found: ${file}`);
  }
  const { module: mod, files } = await importProjectFiles(file);
  const candidate = mod.default ?? mod.definitions;
  if (!(candidate instanceof Definitions)) {
    throw new LigneeError(
      "DEFINITION_INVALID",
      `${file} must export Definitions (Definitions.create(...)) as "default" or "definitions"`,
    );
  }
  return { definitions: candidate, files, version: await contentVersion(file, files) };
}

/** A digest of the files' contents, each named relative to the module's folder. */
async function contentVersion(entry: string, files: readonly string[]): Promise<string> {
  const hash = createHash("sha256");
  const base = path.dirname(entry);
  for (const f of [...files].sort()) {
    const content = await readFile(f).catch(() => undefined);
    hash.update(`${path.relative(base, f)}\0${content?.length ?? -1}\0`);
    if (content) hash.update(content);
  }
  return hash.digest("hex").slice(0, 16);
}
