import { existsSync, lstatSync, readFileSync } from "node:fs";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { LigneeError, quote } from "../../errors";
import { dayBefore } from "../../definitions/schedule";
import { engineFile } from "../../util/engine-files";
import type { CliIo } from "../context";
import { scaffoldFiles } from "../scaffold";

export interface InitOptions {
  /**
   * The `@lignee/engine` dependency the project gets: a version range, or a path to a packed
   * tarball (written as `file:<absolute path>`). Default: `LIGNEE_ENGINE_SPEC`, else `^` the
   * version of the engine running.
   */
  readonly engine?: string;
}

/**
 * A project name: a folder of the working directory and a package name (npm's rules for an
 * unscoped name: lowercase letters, digits, `-`, `_`, `.`, not starting with `.` or `_`).
 */
const PROJECT_NAME = /^[a-z0-9][a-z0-9._-]*$/;
const MAX_NAME_LENGTH = 214;

/**
 * `lignee init NAME`: writes a ready project into the folder NAME of the working directory.
 * A bad name, or a folder NAME that exists and is not empty, is refused before anything is
 * written (INVALID_PROJECT: exit 2). The files are written into a temporary folder beside it
 * and renamed into place, so that a failure leaves no half project.
 */
export async function initCommand(
  name: string,
  options: InitOptions,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
  now: Date = new Date(),
): Promise<number> {
  checkName(name);
  const target = path.resolve(name);
  await checkTarget(target);
  const files = scaffoldFiles({
    name,
    engine: engineDependency(options.engine ?? env.LIGNEE_ENGINE_SPEC),
    start: dayBefore(now),
  });
  const staging = path.join(path.dirname(target), `.${name}.lignee-init-${process.pid}`);
  try {
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(staging, file)), { recursive: true });
      await writeFile(path.join(staging, file), text);
    }
    // Replaces an empty folder NAME, as rename(2) does.
    await rename(staging, target).catch((error: NodeJS.ErrnoException) => {
      throw new LigneeError(
        "INVALID_PROJECT",
        `cannot create ${target} (${error.code ?? error.message}): ${
          error.code === "ENOTEMPTY" || error.code === "EEXIST"
            ? "it is no longer empty"
            : "use a new folder that is not a mount point"
        }; nothing was written`,
        { cause: error },
      );
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  io.out(`Created ${name}/: ${Object.keys(files).sort().join(", ")}`);
  io.out(
    [
      "Next:",
      `  cd ${name}`,
      "  npm install",
      "  npx lignee materialize --select '*' --stale   # every asset, every missing partition",
      "  npx lignee dev                                # the UI on http://127.0.0.1:3000",
    ].join("\n"),
  );
  return 0;
}

function checkName(name: string): void {
  if (!PROJECT_NAME.test(name) || name.length > MAX_NAME_LENGTH || name === "node_modules") {
    throw new LigneeError(
      "INVALID_PROJECT",
      `${quote(name)} is not a valid project name: lowercase letters, digits, "-", "_" and "." (not first), at most ${MAX_NAME_LENGTH} characters`,
    );
  }
}

async function checkTarget(target: string): Promise<void> {
  if (!existsSync(target) && !isLink(target)) return;
  // A link is refused as well: the project would be written where it points, or not at all.
  if (isLink(target) || !lstatSync(target).isDirectory()) {
    throw new LigneeError("INVALID_PROJECT", `${target} exists and is not a folder`);
  }
  if ((await readdir(target)).length > 0) {
    throw new LigneeError(
      "INVALID_PROJECT",
      `${target} is not empty: lignee init writes a new project into an empty or new folder`,
    );
  }
}

function isLink(target: string): boolean {
  try {
    return lstatSync(target).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * What package.json says for `@lignee/engine`: a path (a packed tarball or a folder, with or
 * without `file:`) is made absolute from the working directory, since npm would read it from
 * the new project's folder.
 */
function engineDependency(spec: string | undefined): string {
  if (spec === undefined || spec === "") return `^${runningVersion()}`;
  const local = spec.startsWith("file:")
    ? spec.slice("file:".length)
    : /\.(tgz|tar\.gz)$/.test(spec) || /^\.{0,2}\//.test(spec)
      ? spec
      : undefined;
  if (local === undefined) return spec;
  const resolved = path.resolve(local);
  if (!existsSync(resolved)) {
    throw new LigneeError("INVALID_PROJECT", `the engine ${resolved} does not exist`);
  }
  return `file:${resolved}`;
}

/** The version of the engine package this process runs. */
function runningVersion(): string {
  const manifest = JSON.parse(readFileSync(engineFile("package.json"), "utf8")) as {
    version: string;
  };
  return manifest.version;
}
