import type { Command } from "commander";
import { positiveInt, type CommandContext } from "../command-context";
import { workerCommand } from "../commands/worker";
import { metricsEndpointOptions, type MetricsEndpointOptions } from "../metrics-endpoint";

/** `lignee worker`. */
export function registerWorker(program: Command, ctx: CommandContext): void {
  const command = program
    .command("worker")
    .description("execute queued runs until interrupted (start as many as you like)")
    .option(
      "--concurrency <n>",
      "runs executed at once (default $LIGNEE_WORKER_CONCURRENCY or 2)",
      positiveInt,
    );
  metricsEndpointOptions(command).action(
    async (opts: { concurrency?: number } & MetricsEndpointOptions) => {
      await ctx.serve((defs, rt) => workerCommand(defs, rt, opts, ctx.io));
    },
  );
}
