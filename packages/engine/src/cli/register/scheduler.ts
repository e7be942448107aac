import type { Command } from "commander";
import { positiveInt, type CommandContext } from "../command-context";
import { schedulerCommand } from "../commands/scheduler";
import { metricsEndpointOptions, type MetricsEndpointOptions } from "../metrics-endpoint";

/** `lignee scheduler`. */
export function registerScheduler(program: Command, ctx: CommandContext): void {
  const command = program
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
    );
  metricsEndpointOptions(command).action(
    async (opts: { intervalMs?: number; catchUpDays?: number } & MetricsEndpointOptions) => {
      await ctx.serve((defs, rt) => schedulerCommand(defs, rt, opts, ctx.io));
    },
  );
}
