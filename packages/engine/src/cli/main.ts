import { Command, CommanderError } from "commander";
import { describeError, isBadInput } from "../errors";
import type { CommandContext } from "./command-context";
import {
  withDatabase,
  withReloadableRuntime,
  withRuntime,
  type CliIo,
  type GlobalOptions,
} from "./context";
import { registerBackfill } from "./register/backfill";
import { registerDev, registerServer } from "./register/dev";
import { registerCheck } from "./register/check";
import { registerMaterialize } from "./register/materialize";
import { registerPartitions } from "./register/partitions";
import { registerRuns } from "./register/runs";
import { registerScheduler } from "./register/scheduler";
import { registerStatus } from "./register/status";
import { registerWorker } from "./register/worker";
import { registerMaintenance } from "./register/maintenance";
import { registerInit } from "./register/init";
import { registerUsers } from "./register/users";

/** Exit codes: 0 success, 1 a failed run or an operational error, 2 bad input. */
export const EXIT = { OK: 0, FAILED: 1, BAD_INPUT: 2 } as const;

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
  const ctx: CommandContext = {
    io,
    run: async (work) => {
      exitCode = await withRuntime(program.opts<GlobalOptions>(), io, work);
    },
    serve: async (work) => {
      exitCode = await withReloadableRuntime(program.opts<GlobalOptions>(), io, work);
    },
    database: async (work) => {
      exitCode = await withDatabase(io, work);
    },
    standalone: async (work) => {
      exitCode = await work();
    },
  };
  // Registration order is the order of `lignee --help`.
  registerInit(program, ctx);
  registerStatus(program, ctx);
  registerMaterialize(program, ctx);
  registerCheck(program, ctx);
  registerRuns(program, ctx);
  registerBackfill(program, ctx);
  registerPartitions(program, ctx);
  registerDev(program, ctx);
  registerServer(program, ctx);
  registerWorker(program, ctx);
  registerScheduler(program, ctx);
  registerMaintenance(program, ctx);
  registerUsers(program, ctx);

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    return exitCodeOf(error, io);
  }
}

/** Reports what a command threw and maps it to an exit code. */
function exitCodeOf(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT.OK : EXIT.BAD_INPUT;
  }
  io.err(`error: ${describeError(error)}`);
  if (isBadInput(error)) return EXIT.BAD_INPUT;
  if (process.env.LIGNEE_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
  return EXIT.FAILED;
}
