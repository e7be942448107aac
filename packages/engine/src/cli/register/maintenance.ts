import type { Command } from "commander";
import type { CommandContext } from "../command-context";
import { maintenanceCommand, type MaintenanceCommandOptions } from "../commands/maintenance";

/** `lignee maintenance`. */
export function registerMaintenance(program: Command, ctx: CommandContext): void {
  program
    .command("maintenance")
    .description(
      "prune old run logs, sensor evaluations and audit lines, VACUUM (ANALYZE), compress old raw files; as a run",
    )
    .option("--dry-run", "print what would be pruned and compressed, changing nothing")
    .option("--json", "machine-readable output")
    .action(async (opts: MaintenanceCommandOptions) => {
      await ctx.run((defs, rt) => maintenanceCommand(defs, rt, opts, ctx.io));
    });
}
