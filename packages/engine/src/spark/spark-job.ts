import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Metadata } from "../definitions/asset";
import { shippedFile } from "../util/engine-files";
import { signalGroup } from "../util/process-group";
import { SparkJobError } from "./errors";
import { jvmLogLevel, parseReportLine, tracebackError } from "./job-output";

/** The command that installs PySpark and the jars, shown when they are missing. */
export const SPARK_SETUP_COMMAND = "bash scripts/spark-setup.sh";

/** The Python side (`import lignee_spark`): its folder goes on the job's PYTHONPATH. */
const PYTHON_LIB = shippedFile("src/spark/python", "spark-python");

/** Where and how a Spark job runs (see `sparkSettings` for the defaults). */
export interface SparkJobInvocation {
  /** The Python of PySpark's virtualenv. */
  readonly python: string;
  /** The job (`spark/jobs/silver_offres.py`). */
  readonly script: string;
  readonly args?: readonly string[];
  /** Added to the process's environment (over this process's own). */
  readonly env?: Readonly<Record<string, string>>;
  /** `local[*]`, `spark://host:7077`, …; ignored with `remote`. */
  readonly master: string;
  /** A Spark Connect server (`sc://host:15002`): the job runs there instead of in a local JVM. */
  readonly remote?: string;
  /** Jars put on the job's classpath (`spark.jars`). */
  readonly jars: readonly string[];
  /** Further Spark settings (`--conf key=value`). */
  readonly conf?: Readonly<Record<string, string>>;
  /** The application's name (Spark UI, the JVM's command line). */
  readonly appName: string;
  readonly signal?: AbortSignal;
  /** After a cancellation, how long the job gets to stop before its process group is killed (default 5 s). */
  readonly killAfterMs?: number;
  /** Every line the job writes (stdout and stderr, Spark's log included) but its report. */
  readonly onLine?: (line: string, level: "debug" | "info" | "warn" | "error") => void;
  /** Called with the job's process id once it started (its process group's id too). */
  readonly onStart?: (pid: number) => void;
}

export interface SparkJobResult {
  /** What the job reported (its LIGNEE_RESULT line); empty when it reported nothing. */
  readonly metadata: Metadata;
  /** Each partition's own entries the job reported, by partition key. */
  readonly partitionMetadata?: Readonly<Record<string, Metadata>>;
  readonly durationMs: number;
}

/** Spark settings of the machine: `LIGNEE_SPARK_*` over the defaults. */
export interface SparkSettings {
  readonly python: string;
  readonly jarsDir: string;
  readonly master: string;
  readonly remote: string | undefined;
}

/**
 * The Spark settings from the environment: `LIGNEE_SPARK_PYTHON` (default
 * `.lignee/spark-venv/bin/python` under `root`), `LIGNEE_SPARK_JARS` (a folder of jars, default
 * `.lignee/spark-jars`), `LIGNEE_SPARK_MASTER` (default `local[*]`), `LIGNEE_SPARK_REMOTE`
 * (a Spark Connect URL, `sc://host:port`: the jobs run there).
 */
export function sparkSettings(
  root: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): SparkSettings {
  const set = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  return {
    python: set("LIGNEE_SPARK_PYTHON") ?? path.join(root, ".lignee", "spark-venv", "bin", "python"),
    jarsDir: set("LIGNEE_SPARK_JARS") ?? path.join(root, ".lignee", "spark-jars"),
    master: set("LIGNEE_SPARK_MASTER") ?? "local[*]",
    remote: set("LIGNEE_SPARK_REMOTE"),
  };
}

/** The jars of a folder, sorted; NOT_INSTALLED when the folder is missing. */
export function jarsIn(dir: string): string[] {
  if (!existsSync(dir)) {
    throw new SparkJobError(
      "NOT_INSTALLED",
      `the Spark jobs' jars are not installed (${dir} not found): run \`${SPARK_SETUP_COMMAND}\``,
    );
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jar"))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Runs a PySpark job: `python SCRIPT ARGS` (an argument array, never a shell) in a process group
 * of its own, with the master, jars and settings in
 * `PYSPARK_SUBMIT_ARGS` (or `SPARK_REMOTE` for Spark Connect), and on a `local` master
 * `SPARK_LOCAL_IP=127.0.0.1`. Its lines are passed to `onLine`
 * as they come. Cancelling `signal` stops the job (SIGTERM to the group), then kills the whole
 * group, its JVM included, if it has not stopped `killAfterMs` later; whatever the job started
 * is killed once it exits. Rejects with a `SparkJobError`: the job's own error message on a
 * failure (its LIGNEE_ERROR line, else the exception its traceback ends with).
 */
export async function runSparkJob(invocation: SparkJobInvocation): Promise<SparkJobResult> {
  if (!existsSync(invocation.python)) {
    throw new SparkJobError(
      "NOT_INSTALLED",
      `PySpark is not installed (${invocation.python} not found): run \`${SPARK_SETUP_COMMAND}\``,
    );
  }
  if (!existsSync(invocation.script)) {
    throw new SparkJobError("JOB_FAILED", `the Spark job ${invocation.script} does not exist`);
  }
  if (invocation.signal?.aborted) throw cancelled(invocation);
  const started = Date.now();
  const child = spawn(invocation.python, [invocation.script, ...(invocation.args ?? [])], {
    env: jobEnv(invocation),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code, signal) => resolve({ code, signal }));
    },
  );
  const pid = child.pid;
  if (pid !== undefined) invocation.onStart?.(pid);
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    if (pid === undefined) return;
    signalGroup(pid, "SIGTERM");
    killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), invocation.killAfterMs ?? 5_000);
    killTimer.unref();
  };
  invocation.signal?.addEventListener("abort", onAbort, { once: true });

  let metadata: Metadata | undefined;
  let partitionMetadata: Readonly<Record<string, Metadata>> | undefined;
  let reportedError: string | undefined;
  const tail: string[] = [];
  const read = async (stream: NodeJS.ReadableStream, fromStderr: boolean): Promise<void> => {
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      const report = fromStderr ? undefined : parseReportLine(line);
      if (report?.metadata) {
        metadata = report.metadata;
        partitionMetadata = report.partitionMetadata;
      } else if (report?.error !== undefined) reportedError = report.error;
      else {
        tail.push(line);
        if (tail.length > 200) tail.shift();
        invocation.onLine?.(line, levelOf(line, fromStderr));
      }
    }
  };
  let outcome: { code: number | null; signal: NodeJS.Signals | null };
  try {
    [outcome] = await Promise.all([exited, read(child.stdout!, false), read(child.stderr!, true)]);
  } finally {
    invocation.signal?.removeEventListener("abort", onAbort);
    if (killTimer) clearTimeout(killTimer);
    // The job is done: nothing it started (a JVM left behind) outlives it.
    if (pid !== undefined) signalGroup(pid, "SIGKILL");
  }
  if (invocation.signal?.aborted) throw cancelled(invocation);
  if (outcome.code !== 0) {
    const why =
      reportedError ??
      tracebackError(tail) ??
      (outcome.signal
        ? `the job was killed by ${outcome.signal}`
        : `the job exited with code ${outcome.code}`);
    throw new SparkJobError(
      "JOB_FAILED",
      `Spark job ${path.basename(invocation.script)} failed: ${why}`,
      outcome.code ?? undefined,
    );
  }
  return {
    metadata: metadata ?? {},
    ...(partitionMetadata ? { partitionMetadata } : {}),
    durationMs: Date.now() - started,
  };
}

function cancelled(invocation: SparkJobInvocation): SparkJobError {
  return new SparkJobError(
    "CANCELLED",
    `Spark job ${path.basename(invocation.script)} cancelled: its processes were stopped`,
  );
}

/** The job's environment: how it finds `lignee_spark`, its master or server, jars and settings. */
function jobEnv(invocation: SparkJobInvocation): NodeJS.ProcessEnv {
  const local = invocation.remote === undefined && /^local(\[|$)/.test(invocation.master);
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...invocation.env,
    // In this machine's JVM, Spark binds the loopback only; a driver of a cluster's job must be
    // reachable by its executors, on the address the machine's environment gives.
    ...(local ? { SPARK_LOCAL_IP: "127.0.0.1" } : {}),
    PYTHONUNBUFFERED: "1",
    // No bytecode caches beside `lignee_spark` (in the engine's sources or its build).
    PYTHONDONTWRITEBYTECODE: "1",
    // `lignee_spark` (the job's own folder is on Python's path already).
    PYTHONPATH: PYTHON_LIB,
    // The Python of the driver's workers: the same as the job's.
    PYSPARK_PYTHON: invocation.python,
  };
  // An inherited setting would take precedence over the platform's.
  delete childEnv.SPARK_REMOTE;
  delete childEnv.PYSPARK_SUBMIT_ARGS;
  if (invocation.remote) {
    childEnv.SPARK_REMOTE = invocation.remote;
    return childEnv;
  }
  const conf: Record<string, string> = {
    // No web UI: several jobs on one machine would fight over its port.
    "spark.ui.enabled": "false",
    // No progress bar redrawn on stderr: the log keeps lines.
    "spark.ui.showConsoleProgress": "false",
    // On this machine only: a cluster's executors reach the driver at the machine's address.
    ...(local ? { "spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1" } : {}),
    ...invocation.conf,
  };
  childEnv.PYSPARK_SUBMIT_ARGS = [
    "--master",
    invocation.master,
    "--name",
    invocation.appName,
    ...(invocation.jars.length > 0 ? ["--jars", invocation.jars.join(",")] : []),
    ...Object.entries(conf).flatMap(([k, v]) => ["--conf", `${k}=${v}`]),
    "pyspark-shell",
  ]
    .map(shellWord)
    .join(" ");
  return childEnv;
}

/**
 * PYSPARK_SUBMIT_ARGS is split by Python's `shlex.split`: a word with anything but safe
 * characters is quoted.
 */
function shellWord(word: string): string {
  return /^[\w@%+=:,./*[\]-]+$/.test(word) ? word : `'${word.replaceAll("'", `'"'"'`)}'`;
}

function levelOf(line: string, fromStderr: boolean): "debug" | "info" | "warn" | "error" {
  const jvm = jvmLogLevel(line);
  if (jvm) return jvm;
  // A JVM stack's frames, under the message that says what failed.
  if (/^\s+at \S+\(|^\s*\.\.\. \d+ more$/.test(line)) return "debug";
  if (fromStderr && /^Traceback \(most recent call last\):|^\w*(Error|Exception)\b/.test(line))
    return "error";
  return "info";
}
