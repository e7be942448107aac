import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { engineFile } from "../util/engine-files";

/** The UI's sources in this repository (packages/ui), found from this file, not the cwd. */
const REPOSITORY_UI_SOURCES = engineFile("..", "ui");

/** The command that builds the UI by hand, from the repository root. */
export const UI_BUILD_COMMAND = "pnpm --filter @lignee/ui build";

/**
 * Where the UI's sources are: `LIGNEE_UI_SOURCES` when set (relative to the working directory),
 * else the repository's `packages/ui`.
 */
export function uiSourcesFrom(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.LIGNEE_UI_SOURCES;
  return fromEnv ? path.resolve(fromEnv) : REPOSITORY_UI_SOURCES;
}

/** The vite CLI script that builds `sources`: its own, else the repository UI's; or undefined. */
function viteScript(sources: string): string | undefined {
  for (const from of [sources, REPOSITORY_UI_SOURCES]) {
    try {
      const resolve = createRequire(path.join(from, "package.json")).resolve;
      const script = path.join(path.dirname(resolve("vite/package.json")), "bin", "vite.js");
      if (existsSync(script)) return script;
    } catch {
      // Not installed there: try the next place.
    }
  }
  return undefined;
}

export type UiBuildOutcome =
  { readonly built: true } | { readonly built: false; readonly reason: string };

/**
 * `lignee dev` in a checkout where the UI was never built: builds it (vite build of `sources`
 * into `outDir`, vite's output going to `log`) so that the platform serves it. Does nothing but
 * say why when building is impossible: no sources (an installed engine), or no vite.
 */
export async function buildUi(
  sources: string,
  outDir: string,
  log: (line: string) => void,
): Promise<UiBuildOutcome> {
  if (!existsSync(path.join(sources, "index.html"))) {
    return { built: false, reason: `no UI sources in ${sources}` };
  }
  const vite = viteScript(sources);
  if (vite === undefined) {
    return { built: false, reason: "vite is not installed (run pnpm install)" };
  }
  const args = [vite, "build", "--outDir", outDir, "--emptyOutDir"];
  log(`lignee: the UI is not built: building it (vite build --outDir ${outDir}, in ${sources})`);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: sources,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const forward = (data: Buffer): void => {
      for (const line of data.toString().split("\n")) if (line.trim()) log(`  ${line}`);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("error", () => resolve(null));
    child.on("close", resolve);
  });
  if (code !== 0 || !existsSync(path.join(outDir, "index.html"))) {
    return { built: false, reason: `vite build failed (exit ${code ?? "?"})` };
  }
  log("lignee: the UI is built");
  return { built: true };
}
