import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { LigneeError } from "../errors";
import { shippedFile } from "../util/engine-files";
import {
  DBT_SETUP_COMMAND,
  type DbtEventJson,
  type DbtInvocation,
  type DbtProcessResult,
  dbtLogLineOf,
  keepError,
  requireDbt,
  runDbt,
} from "./dbt-cli";
import { signalGroup } from "../util/process-group";

/** The Python side, next to this file in the sources (its copy in dist when the engine runs built). */
const RUNNER = shippedFile("src/dbt/warm_runner.py", "warm_runner.py");
/** Idle processes kept per Python executable; more are stopped once their command is done. */
const MAX_IDLE = 4;

/**
 * Whether dbt commands run in warm processes: yes unless `LIGNEE_DBT_WARM=0` (then each
 * command is a new `dbt` process, as `runDbt` runs it).
 */
export function dbtWarmEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LIGNEE_DBT_WARM !== "0";
}

/**
 * Runs `dbt ARGS` as `runDbt` does (same arguments, log lines, cancellation and exit codes),
 * in a long-lived Python process of dbt's virtualenv driving dbt's programmatic runner
 * (`warm_runner.py`): dbt is imported once and the project's manifest parsed once (again
 * when a project file or the connection changes), so a command costs what its SQL costs; a
 * new process parses only what changed since the last parse's state. One process runs one
 * command at a time (a dbt runner is not safe for concurrent invocations): commands running
 * at once get one process each, started on first use and kept for the next commands. They
 * stop with this process. A cancelled command's process is interrupted (SIGINT: dbt cancels
 * its queries), then stopped (killed `killAfterMs` later at most); the next command starts a
 * new one. Falls back to `runDbt` when dbt's executable has no `python` next to it.
 *
 * @example
 * const { exitCode } = await runDbtWarm(["build", "--select", "fait_offre_emploi"], invocation);
 */
export async function runDbtWarm(
  args: readonly string[],
  invocation: DbtInvocation,
): Promise<DbtProcessResult> {
  requireDbt(invocation.executable);
  const python = path.join(path.dirname(invocation.executable), "python");
  if (!existsSync(python)) return runDbt(args, invocation);
  const idle = idleProcesses.get(python) ?? [];
  idleProcesses.set(python, idle);
  let worker = idle.pop();
  while (worker && !worker.usable) worker = idle.pop();
  worker ??= new WarmDbtProcess(python);
  let result: DbtProcessResult;
  try {
    result = await worker.run(args, invocation);
  } catch (error) {
    worker.stop();
    throw error;
  }
  if (worker.usable && idle.length < MAX_IDLE) idle.push(worker);
  else worker.stop();
  return result;
}

/**
 * Gets a warm dbt process ready for the commands of `invocation`'s project (started, dbt
 * imported, the project parsed) without waiting for it: called as a run with a dbt step
 * starts, so that this happens while the steps before it run. The next `runDbtWarm` takes
 * that process (waiting for the preparation if it is still under way). Does nothing when dbt
 * is missing (the command itself reports it).
 */
export function prepareDbtWarm(
  /** The options of the commands to come that choose the parse (`--target dev`). */
  args: readonly string[],
  invocation: Omit<DbtInvocation, "signal" | "onLog">,
): void {
  if (!existsSync(invocation.executable)) return;
  const python = path.join(path.dirname(invocation.executable), "python");
  if (!existsSync(python)) return;
  const idle = idleProcesses.get(python) ?? [];
  idleProcesses.set(python, idle);
  let worker = idle.pop();
  while (worker && !worker.usable) worker = idle.pop();
  worker ??= new WarmDbtProcess(python);
  // Back among the idle at once: the command that takes it waits for the preparation.
  idle.push(worker);
  worker.run(args, invocation, true).catch(() => undefined);
}

/** Stops every warm dbt process (they also stop when this process exits). */
export function stopWarmDbt(): void {
  for (const worker of live) worker.stop();
  idleProcesses.clear();
}

/** At this process's exit: its dbt processes are killed, and their folders go with them. */
function stopWarmDbtAtExit(): void {
  stopWarmDbt();
  // No exit event of theirs will come now: a killed process writes nothing more.
  for (const worker of [...withFolder]) worker.removeFolder();
}

/** A new folder for a warm process to parse in, under the system's temporary folder. */
function parseFolder(): string {
  try {
    return mkdtempSync(path.join(tmpdir(), "lignee-dbt-warm-"));
  } catch (error) {
    throw new LigneeError(
      "RUNTIME",
      `dbt's warm process needs a folder in ${tmpdir()}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

const idleProcesses = new Map<string, WarmDbtProcess[]>();
const live = new Set<WarmDbtProcess>();
/** The processes whose folder is still there (a stopped one's goes when its exit comes). */
const withFolder = new Set<WarmDbtProcess>();
let exitHookInstalled = false;

interface PendingCommand {
  readonly id: number;
  readonly errors: string[];
  readonly onLog: DbtInvocation["onLog"];
  resolve(result: DbtProcessResult): void;
}

/** One Python process running `warm_runner.py`, one command at a time. */
class WarmDbtProcess {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private pending: PendingCommand | undefined;
  /** The commands sent so far, settled: one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private exited = false;
  private retired = false;
  /** The last lines of stderr (dbt's console output, a Python traceback). */
  private readonly stderrTail: string[] = [];

  /** Where the process parses the project: made here, removed once the process has ended. */
  private readonly folder = parseFolder();

  constructor(python: string) {
    withFolder.add(this);
    this.child = spawn(python, [RUNNER, this.folder], {
      stdio: ["pipe", "pipe", "pipe"],
      // Its own process group: a terminal's Ctrl-C reaches the engine, which cancels the
      // command; and the group can be signalled as runDbt's is.
      detached: true,
      env: { ...process.env, DBT_SEND_ANONYMOUS_USAGE_STATS: "false", DO_NOT_TRACK: "1" },
    });
    live.add(this);
    installExitHook();
    // Only a command running keeps the engine's process alive (see `hold`).
    this.hold(false);
    let onReady: () => void = () => undefined;
    let onFail: (error: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onFail = reject;
    });
    // Awaited by each command; a failure to start is reported there.
    this.ready.catch(() => undefined);
    createInterface({ input: this.child.stdout!, crlfDelay: Infinity }).on("line", (line) =>
      this.onMessage(line, onReady),
    );
    createInterface({ input: this.child.stderr!, crlfDelay: Infinity }).on("line", (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
    });
    this.child.stdin!.on("error", () => undefined);
    this.child.on("error", (error) => this.onExit(onFail, error));
    this.child.on("exit", () => this.onExit(onFail));
  }

  /** Whether it can take another command. */
  get usable(): boolean {
    return !this.exited && !this.retired;
  }

  /** Runs a command (`prepare`: only parses the project) once the ones before it are done. */
  run(
    args: readonly string[],
    invocation: DbtInvocation,
    prepare = false,
  ): Promise<DbtProcessResult> {
    const result = this.queue.then(() => this.runNow(args, invocation, prepare));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(
    args: readonly string[],
    invocation: DbtInvocation,
    prepare: boolean,
  ): Promise<DbtProcessResult> {
    this.hold(true);
    const onAbort = (): void => this.interrupt(invocation.killAfterMs ?? 10_000);
    try {
      await this.ready;
      if (!this.usable) throw new Error("the warm dbt process has stopped");
      const id = this.nextId++;
      const errors: string[] = [];
      const done = new Promise<DbtProcessResult>((resolve) => {
        this.pending = { id, errors, onLog: invocation.onLog, resolve };
      });
      if (invocation.signal?.aborted) onAbort();
      else invocation.signal?.addEventListener("abort", onAbort, { once: true });
      this.child.stdin!.write(
        `${JSON.stringify({
          id,
          // As runDbt passes them: dbt's log file is the same JSON either way.
          args: [...args, "--log-format", "json"],
          prepare,
          projectDir: path.resolve(invocation.projectDir),
          profilesDir: path.resolve(invocation.profilesDir),
          env: invocation.env,
          parseState: parseStateFile(invocation.projectDir),
        })}\n`,
      );
      return await done;
    } finally {
      invocation.signal?.removeEventListener("abort", onAbort);
      this.pending = undefined;
      this.hold(false);
      // What was interrupted may have left dbt's state half-done: a fresh process next time.
      if (invocation.signal?.aborted) this.stop();
    }
  }

  stop(): void {
    this.retired = true;
    live.delete(this);
    if (this.exited || this.child.pid === undefined) return;
    signalGroup(this.child.pid, "SIGKILL");
  }

  /** Whether the process and its pipes keep the event loop alive. */
  private hold(on: boolean): void {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr]) {
      const h = handle as unknown as { ref?: () => void; unref?: () => void } | null;
      if (on) h?.ref?.();
      else h?.unref?.();
    }
  }

  private interrupt(killAfterMs: number): void {
    this.retired = true;
    const pid = this.child.pid;
    if (pid === undefined || this.exited) return;
    signalGroup(pid, "SIGINT");
    setTimeout(() => this.stop(), killAfterMs).unref();
  }

  private onMessage(line: string, onReady: () => void): void {
    let message: {
      ready?: boolean;
      id?: number;
      event?: DbtEventJson;
      done?: boolean;
      exitCode?: number;
      pid?: number;
      parsed?: boolean;
    };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      this.stderrTail.push(line);
      return;
    }
    if (message.ready) {
      onReady();
      return;
    }
    const pending = this.pending;
    if (!pending || message.id !== pending.id) return;
    if (message.event) {
      const logLine = dbtLogLineOf(message.event);
      keepError(pending.errors, logLine);
      pending.onLog?.(logLine);
    } else if (message.done) {
      pending.resolve({
        exitCode: message.exitCode ?? 2,
        errors: pending.errors,
        warm: { pid: message.pid ?? -1, parsed: message.parsed === true },
      });
    }
  }

  /** Removes the process's folder (when it has ended, or is ending with this process). */
  removeFolder(): void {
    if (!withFolder.delete(this)) return;
    rmSync(this.folder, { recursive: true, force: true });
  }

  private onExit(onFail: (error: Error) => void, error?: Error): void {
    if (this.exited) return;
    this.exited = true;
    live.delete(this);
    this.removeFolder();
    const why = this.stderrTail.slice(-5).join("\n") || error?.message || "no output";
    onFail(
      new LigneeError(
        "RUNTIME",
        `dbt's warm process did not start (${why}): is dbt installed? run \`${DBT_SETUP_COMMAND}\``,
      ),
    );
    const pending = this.pending;
    if (pending) {
      pending.errors.push(`dbt's process ended unexpectedly: ${why}`);
      pending.resolve({ exitCode: 2, errors: pending.errors });
    }
  }
}

/**
 * Where warm processes keep the project's parse state for the next one (a new engine process,
 * the next CLI command): in the project's `target/` folder, as the engine's own parse
 * (`ensureManifest`), under a name of its own beside `partial_parse.msgpack`, since dbt reads a
 * state back only for the connection and vars it was written with.
 */
function parseStateFile(projectDir: string): string {
  return path.join(path.resolve(projectDir), "target", "lignee-warm-parse.msgpack");
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", stopWarmDbtAtExit);
}
