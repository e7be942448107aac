import type { Command } from "commander";
import { positiveInt, type CommandContext } from "../command-context";
import { materializeCommand } from "../commands/materialize";

/** `lignee materialize`. */
export function registerMaterialize(program: Command, ctx: CommandContext): void {
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
    .option(
      "--stale",
      "per selected asset, the partitions that are missing, stale or failed (with --from/--to: in that range; those waiting on upstream partitions never materialised are left out, and counted)",
    )
    .option(
      "--with-upstream",
      "with --stale: materialise the missing upstream partitions they wait on too",
    )
    .option(
      "--config <json-or-file>",
      'the run\'s config, per asset key: JSON (\'{"raw/offres": {"pageSize": 50}}\') or a JSON file',
    )
    .option("--concurrency <n>", "steps running at once", positiveInt)
    .option("--yes", "confirm a run over more partitions than may be started without asking")
    .option(
      "--log",
      "print what each asset logs and materialises as the run goes (no progress bar)",
    )
    .option("--json", "machine-readable output")
    .action(async (opts: Parameters<typeof materializeCommand>[2]) => {
      await ctx.run((defs, rt) => materializeCommand(defs, rt, opts, ctx.io));
    });
}
