import { Command, CommanderError, InvalidArgumentError } from "commander";
import { describeError, isBadInput } from "../errors";
import { withRuntime, type CliIo, type GlobalOptions } from "./context";
import { devCommand } from "./commands/dev";
import { materializeCommand } from "./commands/materialize";
import { runShowCommand, runsCommand } from "./commands/runs";
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

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = new Command("lignee")
    .description("Lignée: an asset-based data platform")
    .option(
      "--definitions <path>",
      "module exporting the definitions (default: the job-offer pipeline)",
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

  program
    .command("dev")
    .description("serve the HTTP API (and the built UI) until interrupted")
    .option("--port <port>", "port to listen on (0: any free port)", portNumber, 3000)
    .option("--host <host>", "interface to bind (non-loopback needs LIGNEE_API_TOKEN)", "127.0.0.1")
    .action(async (opts: { port: number; host: string }) => {
      exitCode = await withRuntime(globals(), io, (defs, rt) => devCommand(defs, rt, opts, io));
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
