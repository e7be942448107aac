import type { Command } from "commander";
import { positiveInt, type CommandContext } from "../command-context";
import { checkCommand, type CheckOptions } from "../commands/check";

/** `lignee check`. */
export function registerCheck(program: Command, ctx: CommandContext): void {
  program
    .command("check")
    .description(
      "evaluate the selected assets' checks on partitions, materialising nothing; or switch a check off or on",
    )
    .option("--select <selection>", "assets whose checks to run (e.g. raw/offres)")
    .option("--partition <key>", "one partition key (e.g. 2024-08-01)")
    .option("--from <key>", "first partition of a range")
    .option("--to <key>", "last partition of a range")
    .option("--disable <asset:name>", "switch a check off (it is not evaluated and holds nothing)")
    .option("--enable <asset:name>", "switch a check on again")
    .option("--concurrency <n>", "steps running at once", positiveInt)
    .option("--yes", "confirm a run over more partitions than may be started without asking")
    .option("--log", "print each evaluation as the run goes (no progress bar)")
    .option("--json", "machine-readable output")
    .action(async (opts: CheckOptions) => {
      await ctx.run((defs, rt) => checkCommand(defs, rt, opts, ctx.io));
    });
}
