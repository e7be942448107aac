import type { Command } from "commander";
import type { CommandContext } from "../command-context";
import { statusCommand } from "../commands/status";

/** `lignee status`. */
export function registerStatus(program: Command, ctx: CommandContext): void {
  program
    .command("status")
    .description("status of every asset: partition counts by status and stale causes")
    .option("--select <selection>", "assets to show (e.g. raw/offres+, group:collecte)")
    .option("--json", "machine-readable output")
    .action(async (opts: { select?: string; json?: boolean }) => {
      await ctx.run((defs, rt) => statusCommand(defs, rt, opts, ctx.io));
    });
}
