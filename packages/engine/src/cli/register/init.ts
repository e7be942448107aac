import type { Command } from "commander";
import type { CommandContext } from "../command-context";
import { initCommand, type InitOptions } from "../commands/init";

/** `lignee init NAME`. */
export function registerInit(program: Command, ctx: CommandContext): void {
  program
    .command("init")
    .description(
      "write a new project into the folder NAME: package.json, tsconfig.json, definitions with two assets, a check and a schedule",
    )
    .argument("<name>", "the project's folder and package name")
    .option(
      "--engine <spec>",
      "the @lignee/engine dependency to write: a version range or a packed tarball's path (default: LIGNEE_ENGINE_SPEC, else ^ this engine's version)",
    )
    .action(async (name: string, opts: InitOptions) => {
      await ctx.standalone(() => initCommand(name, opts, ctx.io));
    });
}
