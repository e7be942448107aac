import type { Command } from "commander";
import { positiveInt, type CommandContext } from "../command-context";
import { workerCommand } from "../commands/worker";

/** `lignee worker`. */
export function registerWorker(program: Command, ctx: CommandContext): void {
  program
    .command("worker")
    .description("execute queued runs until interrupted (start as many as you like)")
    .option(
      "--concurrency <n>",
      "runs executed at once (default $LIGNEE_WORKER_CONCURRENCY or 2)",
      positiveInt,
    )
    .action(async (opts: { concurrency?: number }) => {
      await ctx.run((defs, rt) => workerCommand(defs, rt, opts, ctx.io));
    });
}
