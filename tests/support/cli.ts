import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ENGINE_CLI } from "../../scripts/build-engine.mjs";

export const REPO_ROOT = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
/**
 * `lignee ARGS` as users run it: the built CLI (packages/engine/dist/cli.js, built by the test
 * run's global setup when its sources changed) in one plain Node.js process, so that a signal
 * reaches the CLI itself.
 */
export function ligneeCommand(args: readonly string[]): [string, string[]] {
  return [process.execPath, [ENGINE_CLI, ...args]];
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `lignee ARGS` in a child process, from the repo root as `pnpm lignee` does (or from
 * `cwd`, which decides the configuration it finds), with `input` on its standard input.
 */
export function lignee(
  args: readonly string[],
  env: Record<string, string>,
  onSpawn?: (child: ChildProcess) => void,
  cwd: string = REPO_ROOT,
  input?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(...ligneeCommand(args), {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    // Without input, an empty standard input (not a terminal), as /dev/null would be.
    child.stdin.end(input ?? "");
    onSpawn?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function fixture(name: string): string {
  return path.join(REPO_ROOT, "tests/fixtures", name);
}

export interface DevServer {
  /** The URL `lignee dev` printed, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** What the process wrote so far (both streams), for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited after 15 s; resolves to the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `lignee [ARGS…] dev --port 0` (ARGS go before `dev`, e.g. `--definitions`) in a child
 * process and resolves once it prints the URL it serves on; rejects if it exits first or does
 * not print it within `timeoutMs`.
 */
export async function startLigneeDev(
  args: readonly string[],
  env: Record<string, string>,
  options: { timeoutMs?: number; devArgs?: readonly string[] } = {},
): Promise<DevServer> {
  // Without the scheduler unless asked: tests of manual runs must not race eager automation
  // (automation has tests of its own).
  const devArgs = options.devArgs ?? ["--no-scheduler"];
  const child = spawn(...ligneeCommand([...args, "dev", "--port", "0", ...devArgs]), {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
      try {
        return await exited;
      } finally {
        clearTimeout(kill);
      }
    }
    return exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`lignee dev printed no URL in ${options.timeoutMs ?? 60_000} ms`)),
        options.timeoutMs ?? 60_000,
      );
      child.stdout.on("data", (d: Buffer) => {
        output += d.toString();
        const match = /serving on (http:\/\/\S+?) /.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.on("error", reject);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`lignee dev exited with ${code}`));
      });
    });
    return { url, output: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
  }
}

/**
 * `fn` over every item, at most `limit` at a time, results in the items' order: independent CLI
 * calls of one test, each of which spends most of its second or two starting Node.js.
 */
export async function inParallel<T, R>(
  items: readonly T[],
  fn: (item: T) => Promise<R>,
  limit = 2,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
