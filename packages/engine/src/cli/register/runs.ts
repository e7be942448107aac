import type { Command } from "commander";
import { positiveInt, type CommandContext } from "../command-context";
import { runShowCommand, runsCommand } from "../commands/runs";

/** `lignee runs` and `lignee runs show`. */
export function registerRuns(program: Command, ctx: CommandContext): void {
  const runs = program
    .command("runs")
    .description("recent runs")
    .option("--json", "machine-readable output")
    .option("--limit <n>", "how many runs", positiveInt)
    .action(async (opts: { json?: boolean; limit?: number }) => {
      await ctx.run((_defs, rt) => runsCommand(rt, opts, ctx.io));
    });
  runs
    .command("show")
    .description("a run and its events")
    .argument(
      "<run-id>",
      "the run's id, or its first characters (at least 4, as `lignee runs` and the UI show 8)",
    )
    .option("--json", "machine-readable output")
    .action(async (runId: string, opts: { json?: boolean }) => {
      // `--json` after the run id is parsed by the parent `runs` command too.
      const json = opts.json === true || runs.opts<{ json?: boolean }>().json === true;
      await ctx.run((_defs, rt) => runShowCommand(rt, runId, { json }, ctx.io));
    });
}
