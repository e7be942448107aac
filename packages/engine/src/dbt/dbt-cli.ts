import { existsSync } from "node:fs";
import { stripVTControlCharacters } from "node:util";
import { LigneeError } from "../errors";
import { signalGroup } from "../util/process-group";

/** Where and how to run dbt. */
export interface DbtInvocation {
  /** The dbt executable (e.g. `.lignee/venv/bin/dbt`). */
  readonly executable: string;
  readonly projectDir: string;
  readonly profilesDir: string;
  /** Environment added to the process (connection variables, …). */
  readonly env: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** After a cancellation, how long dbt gets to stop before its process group is killed (default 10 s). */
  readonly killAfterMs?: number;
  /** Called with every structured log line as dbt writes it. */
  readonly onLog?: (line: DbtLogLine) => void;
}

/** One line of `--log-format json` output, reduced to what the engine uses. */
export interface DbtLogLine {
  readonly name: string;
  readonly level: string;
  readonly msg: string;
  readonly uniqueId?: string;
  readonly nodeStatus?: string;
  readonly data: Record<string, unknown>;
}

export interface DbtProcessResult {
  readonly exitCode: number;
  /** The last error-level messages, for a clear failure message. */
  readonly errors: readonly string[];
  /** Run by a warm dbt process (`runDbtWarm`): its pid, and whether it parsed the project first. */
  readonly warm?: { readonly pid: number; readonly parsed: boolean };
}

/** The command that installs dbt, shown when it is missing. */
export const DBT_SETUP_COMMAND = "bash scripts/dbt-setup.sh";

/**
 * Runs `dbt ARGS --log-format json` (an argument array, never a shell) and streams its log.
 * Cancelling `signal` interrupts dbt (SIGINT, so it cancels its running queries), then kills
 * its whole process group if it has not stopped `killAfterMs` later. Resolves with dbt's exit code:
 * 0 success, 1 a node failed, 2 dbt itself failed (bad profile, parse error).
 */
export async function runDbt(
  args: readonly string[],
  invocation: DbtInvocation,
): Promise<DbtProcessResult> {
  requireDbt(invocation.executable);
  const errors: string[] = [];
  // Loaded when dbt runs: execa's signal tables cost every CLI start that runs no dbt.
  const { execa } = await import("execa");
  const child = execa(
    invocation.executable,
    [
      ...args,
      "--log-format",
      "json",
      "--project-dir",
      invocation.projectDir,
      "--profiles-dir",
      invocation.profilesDir,
    ],
    {
      env: { ...invocation.env, DBT_SEND_ANONYMOUS_USAGE_STATS: "false", DO_NOT_TRACK: "1" },
      reject: false,
      detached: true,
      stdin: "ignore",
      buffer: false,
    },
  );
  const onAbort = (): void => {
    const pid = child.pid;
    if (pid === undefined) return;
    signalGroup(pid, "SIGINT");
    setTimeout(() => signalGroup(pid, "SIGKILL"), invocation.killAfterMs ?? 10_000).unref();
  };
  if (invocation.signal?.aborted) onAbort();
  else invocation.signal?.addEventListener("abort", onAbort, { once: true });

  const read = async (stream: AsyncIterable<unknown>): Promise<void> => {
    for await (const raw of stream) {
      const line = parseDbtLogLine(String(raw));
      keepError(errors, line);
      invocation.onLog?.(line);
    }
  };
  // Line by line (a raw chunk may hold several lines, or part of one).
  await Promise.all([
    read(child.iterable({ from: "stdout" })),
    read(child.iterable({ from: "stderr" })),
  ]);
  const result = await child;
  invocation.signal?.removeEventListener("abort", onAbort);
  // dbt stopped on the interrupt: whatever it started must not outlive it.
  if (invocation.signal?.aborted && child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
  return { exitCode: result.exitCode ?? 2, errors };
}

/** Stops with the command that installs dbt when `executable` is not there. */
export function requireDbt(executable: string): void {
  if (!existsSync(executable)) {
    throw new LigneeError(
      "RUNTIME",
      `dbt is not installed (${executable} not found): run \`${DBT_SETUP_COMMAND}\``,
    );
  }
}

/** Keeps the last 20 error messages of a run, for its failure message. */
export function keepError(errors: string[], line: DbtLogLine): void {
  if (line.level === "error" && line.msg.trim().length > 0) {
    errors.push(line.msg.trim());
    if (errors.length > 20) errors.shift();
  }
}

/** One line of dbt's JSON log (or one event of dbt's runner, as JSON) as a `DbtLogLine`. */
export function parseDbtLogLine(text: string): DbtLogLine {
  try {
    return dbtLogLineOf(JSON.parse(text) as DbtEventJson);
  } catch {
    // Not JSON (a Python traceback, a warning printed before logging starts): keep it as text.
    return {
      name: "Text",
      level: /error|traceback/i.test(text) ? "error" : "info",
      msg: stripVTControlCharacters(text),
      data: {},
    };
  }
}

/** A dbt event as `--log-format json` writes it (and the runner's callbacks give it). */
export interface DbtEventJson {
  info?: { name?: string; level?: string; msg?: string };
  data?: Record<string, unknown>;
}

export function dbtLogLineOf(parsed: DbtEventJson): DbtLogLine {
  const data = parsed.data ?? {};
  const node = data.node_info as { unique_id?: string; node_status?: string } | undefined;
  return {
    name: parsed.info?.name ?? "",
    level: parsed.info?.level ?? "info",
    // Some messages carry colour codes even with --no-use-colors: logs are plain text.
    msg: stripVTControlCharacters(parsed.info?.msg ?? ""),
    ...(node?.unique_id ? { uniqueId: node.unique_id } : {}),
    ...(node?.node_status ? { nodeStatus: node.node_status } : {}),
    data,
  };
}
