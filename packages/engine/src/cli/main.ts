import { Command, CommanderError, InvalidArgumentError } from "commander";
import { describeError, isBadInput } from "../errors";
import { BACKFILL_STATUSES, type BackfillStatus } from "../backfill/progress";
import { withRuntime, type CliIo, type GlobalOptions } from "./context";
import {
  backfillCancelCommand,
  backfillCommand,
  backfillListCommand,
  backfillResumeCommand,
  backfillShowCommand,
  requireBackfillRange,
  type BackfillOptions,
} from "./commands/backfill";
import { devCommand, serverCommand } from "./commands/dev";
import { workerCommand } from "./commands/worker";
import { materializeCommand } from "./commands/materialize";
import { runShowCommand, runsCommand } from "./commands/runs";
import { schedulerCommand } from "./commands/scheduler";
import { statusCommand } from "./commands/status";

/** Exit codes: 0 success, 1 a failed run or an operational error, 2 bad input. */
export const EXIT = { OK: 0, FAILED: 1, BAD_INPUT: 2 } as const;

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
};

const portNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError("expected a port number");
  return n;
};

const backfillStatus = (value: string): BackfillStatus => {
  const status = value.toUpperCase();
  if (!(BACKFILL_STATUSES as readonly string[]).includes(status))
    throw new InvalidArgumentError(`expected one of ${BACKFILL_STATUSES.join(", ")}`);
  return status as BackfillStatus;
};

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = new Command("lignee")
    .description("Lignée: an asset-based data platform")
    .option(
      "--definitions <path>",
      'module exporting the definitions (default: the one lignee.config.ts or package.json\'s "lignee" field declares)',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();

  program
    .command("status")
    .description("status of every asset: partition counts by status and stale causes")
    .option("--select <selection>", "assets to show (e.g. raw/offres+, group:collecte)")
    .option("--json", "machine-readable output")
    .action(async (opts: { select?: string; json?: boolean }) => {
      exitCode = await withRuntime(globals(), io, (defs, rt) => statusCommand(defs, rt, opts, io));
    });

  program
    .command("materialize")
    .description("materialise the selected assets (for a partition, a range, or what is stale)")
    .requiredOption(
      "--select <selection>",
      "assets to materialise (e.g. +emploi/fait_offre_emploi)",
    )
    .option("--partition <key>", "one partition key (e.g. 2024-08-01)")
    .option("--from <key>", "first partition of a range")
    .option("--to <key>", "last partition of a range")
    .option("--stale", "per selected asset, the partitions that are missing, stale or failed")
    .option("--concurrency <n>", "steps running at once", positiveInt)
    .option("--yes", "confirm a run over more partitions than may be started without asking")
    .option("--json", "machine-readable output")
    .action(async (opts: Parameters<typeof materializeCommand>[2]) => {
      exitCode = await withRuntime(globals(), io, (defs, rt) =>
        materializeCommand(defs, rt, opts, io),
      );
    });

  const runs = program
    .command("runs")
    .description("recent runs")
    .option("--json", "machine-readable output")
    .option("--limit <n>", "how many runs", positiveInt)
    .action(async (opts: { json?: boolean; limit?: number }) => {
      exitCode = await withRuntime(globals(), io, (_defs, rt) => runsCommand(rt, opts, io));
    });
  runs
    .command("show")
    .description("a run and its events")
    .argument("<run-id>")
    .option("--json", "machine-readable output")
    .action(async (runId: string, opts: { json?: boolean }) => {
      // `--json` after the run id is parsed by the parent `runs` command too.
      const json = opts.json === true || runs.opts<{ json?: boolean }>().json === true;
      exitCode = await withRuntime(globals(), io, (_defs, rt) =>
        runShowCommand(rt, runId, { json }, io),
      );
    });

  const backfill = program
    .command("backfill")
    .description("materialise a partition range as chunked runs queued for the workers")
    .option("--select <selection>", "assets to backfill (e.g. raw/offres+)")
    .option("--from <key>", "first partition of the range")
    .option("--to <key>", "last partition of the range")
    .option("--chunk <n>", "partitions per run (default 10)", positiveInt)
    .option("--no-wait", "return once the runs are queued, without following them")
    .option("--yes", "confirm a backfill over more partitions than may be started without asking")
    .option("--json", "machine-readable output")
    .action(async (opts: BackfillOptions) => {
      requireBackfillRange(opts);
      exitCode = await withRuntime(globals(), io, (defs, rt) =>
        backfillCommand(defs, rt, opts, io),
      );
    });
  // Options given after a subcommand's argument are parsed by `backfill` too: read both.
  const backfillOpts = <T>(own: T): T & { json?: boolean; wait?: boolean } => {
    const parent = backfill.opts<{ json?: boolean; wait?: boolean }>();
    const mine = own as T & { json?: boolean; wait?: boolean };
    return {
      ...mine,
      json: mine.json === true || parent.json === true,
      wait: mine.wait !== false && parent.wait !== false,
    };
  };
  backfill
    .command("list")
    .description("backfills, newest first, with their progress")
    .option("--status <status>", "only backfills in this status", backfillStatus)
    .option("--limit <n>", "how many backfills", positiveInt)
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean; limit?: number; status?: BackfillStatus }) => {
      exitCode = await withRuntime(globals(), io, (_defs, rt) =>
        backfillListCommand(rt, backfillOpts(opts), io),
      );
    });
  backfill
    .command("show")
    .description("a backfill, its progress and its runs")
    .argument("<backfill-id>")
    .option("--json", "machine-readable output")
    .action(async (id: string, opts: { json?: boolean }) => {
      exitCode = await withRuntime(globals(), io, (_defs, rt) =>
        backfillShowCommand(rt, id, backfillOpts(opts), io),
      );
    });
  backfill
    .command("cancel")
    .description("cancel a backfill: queued runs are cancelled, started ones asked to stop")
    .argument("<backfill-id>")
    .option("--json", "machine-readable output")
    .action(async (id: string, opts: { json?: boolean }) => {
      exitCode = await withRuntime(globals(), io, (_defs, rt) =>
        backfillCancelCommand(rt, id, backfillOpts(opts), io),
      );
    });
  backfill
    .command("resume")
    .description("queue the runs an interrupted backfill creation did not, then follow it")
    .argument("<backfill-id>")
    .option("--no-wait", "return once the runs are queued, without following them")
    .option("--json", "machine-readable output")
    .action(async (id: string, opts: { json?: boolean; wait?: boolean }) => {
      exitCode = await withRuntime(globals(), io, (defs, rt) =>
        backfillResumeCommand(defs, rt, id, backfillOpts(opts), io),
      );
    });

  program
    .command("dev")
    .description(
      "the whole platform in one process: API and UI, a worker, and the scheduler (schedules, sensors, eager automation)",
    )
    .option("--port <port>", "port to listen on (0: any free port)", portNumber, 3000)
    .option("--host <host>", "interface to bind (non-loopback needs LIGNEE_API_TOKEN)", "127.0.0.1")
    .option("--no-scheduler", "do not evaluate schedules, sensors and eager automation")
    .action(async (opts: { port: number; host: string; scheduler?: boolean }) => {
      exitCode = await withRuntime(globals(), io, (defs, rt) => devCommand(defs, rt, opts, io));
    });

  program
    .command("server")
    .description("serve the HTTP API and the UI; runs are queued for `lignee worker` processes")
    .option("--port <port>", "port to listen on (0: any free port)", portNumber, 3000)
    .option("--host <host>", "interface to bind (non-loopback needs LIGNEE_API_TOKEN)", "127.0.0.1")
    .action(async (opts: { port: number; host: string }) => {
      exitCode = await withRuntime(globals(), io, (defs, rt) => serverCommand(defs, rt, opts, io));
    });

  program
    .command("worker")
    .description("execute queued runs until interrupted (start as many as you like)")
    .option(
      "--concurrency <n>",
      "runs executed at once (default $LIGNEE_WORKER_CONCURRENCY or 2)",
      positiveInt,
    )
    .action(async (opts: { concurrency?: number }) => {
      exitCode = await withRuntime(globals(), io, (defs, rt) => workerCommand(defs, rt, opts, io));
    });

  program
    .command("scheduler")
    .description(
      "evaluate schedules, sensors and eager automation, queueing runs, until interrupted",
    )
    .option(
      "--interval-ms <ms>",
      "time between evaluations (default $LIGNEE_SCHEDULER_INTERVAL_MS or 5000); ticks fire on time",
      positiveInt,
    )
    .option(
      "--catch-up-days <days>",
      "missed ticks older than this are skipped (default $LIGNEE_SCHEDULER_CATCH_UP_DAYS or 7)",
      positiveInt,
    )
    .action(async (opts: { intervalMs?: number; catchUpDays?: number }) => {
      exitCode = await withRuntime(globals(), io, (defs, rt) =>
        schedulerCommand(defs, rt, opts, io),
      );
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.OK : EXIT.BAD_INPUT;
    }
    if (isBadInput(error)) {
      io.err(`error: ${describeError(error)}`);
      return EXIT.BAD_INPUT;
    }
    io.err(`error: ${describeError(error)}`);
    if (process.env.LIGNEE_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
    return EXIT.FAILED;
  }
}
