import type { Command } from "commander";
import type { CommandContext } from "../command-context";
import { partitionsAddCommand } from "../commands/partitions/add";
import { partitionsListCommand } from "../commands/partitions/list";
import { partitionsRemoveCommand } from "../commands/partitions/remove";

/** `lignee partitions add|list|remove`: the keys of dynamic partitions sets. */
export function registerPartitions(program: Command, ctx: CommandContext): void {
  const partitions = program
    .command("partitions")
    .description("the keys of dynamic partitions (dynamicPartitions({ name }))");
  const json = (opts: { json?: boolean }): { json: boolean } => ({
    json: opts.json === true || partitions.opts<{ json?: boolean }>().json === true,
  });
  partitions.option("--json", "machine-readable output");
  partitions
    .command("add")
    .description("add keys to a dynamic partitions set (all or none)")
    .argument("<name>", "the set's name")
    .argument("<keys...>", "the keys to add")
    .option("--json", "machine-readable output")
    .action(async (name: string, keys: string[], opts: { json?: boolean }) => {
      await ctx.run((defs, rt) => partitionsAddCommand(defs, rt, name, keys, json(opts), ctx.io));
    });
  partitions
    .command("list")
    .description("the keys of a dynamic partitions set; without a name, every set")
    .argument("[name]", "the set's name")
    .option("--json", "machine-readable output")
    .action(async (name: string | undefined, opts: { json?: boolean }) => {
      await ctx.run((defs, rt) => partitionsListCommand(defs, rt, name, json(opts), ctx.io));
    });
  partitions
    .command("remove")
    .description(
      "remove keys from a dynamic partitions set (all or none); their history stays, their partitions no longer count",
    )
    .argument("<name>", "the set's name")
    .argument("<keys...>", "the keys to remove")
    .option("--json", "machine-readable output")
    .action(async (name: string, keys: string[], opts: { json?: boolean }) => {
      await ctx.run((defs, rt) =>
        partitionsRemoveCommand(defs, rt, name, keys, json(opts), ctx.io),
      );
    });
}
