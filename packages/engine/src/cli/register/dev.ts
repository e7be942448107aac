import type { Command } from "commander";
import { portNumber, type CommandContext } from "../command-context";
import { devCommand, serverCommand } from "../commands/dev";

/** `lignee dev`: the whole platform in one process. */
export function registerDev(program: Command, ctx: CommandContext): void {
  program
    .command("dev")
    .description(
      "the whole platform in one process: API and UI, a worker, and the scheduler (schedules, sensors, eager automation)",
    )
    .option("--port <port>", "port to listen on (0: any free port)", portNumber, 3000)
    .option("--host <host>", "interface to bind (non-loopback needs LIGNEE_API_TOKEN)", "127.0.0.1")
    .option("--no-scheduler", "do not evaluate schedules, sensors and eager automation")
    .option(
      "--no-watch",
      "do not load the definitions again when their files change (POST /api/definitions/reload still does)",
    )
    .action(async (opts: { port: number; host: string; scheduler?: boolean; watch?: boolean }) => {
      await ctx.serve((defs, rt) => devCommand(defs, rt, opts, ctx.io));
    });
}

/** `lignee server`: the API and the UI alone. */
export function registerServer(program: Command, ctx: CommandContext): void {
  program
    .command("server")
    .description("serve the HTTP API and the UI; runs are queued for `lignee worker` processes")
    .option("--port <port>", "port to listen on (0: any free port)", portNumber, 3000)
    .option("--host <host>", "interface to bind (non-loopback needs LIGNEE_API_TOKEN)", "127.0.0.1")
    .action(async (opts: { port: number; host: string }) => {
      await ctx.serve((defs, rt) => serverCommand(defs, rt, opts, ctx.io));
    });
}
