import { InvalidArgumentError, type Command } from "commander";
import { BACKFILL_STATUSES, type BackfillStatus } from "../../backfill/progress";
import { positiveInt, type CommandContext } from "../command-context";
import {
  backfillCancelCommand,
  backfillCommand,
  backfillListCommand,
  backfillResumeCommand,
  backfillShowCommand,
  requireBackfillRange,
  type BackfillOptions,
} from "../commands/backfill";

/** `lignee backfill` and its subcommands `list`, `show`, `cancel`, `resume`. */
export function registerBackfill(program: Command, ctx: CommandContext): void {
  const backfill = program
    .command("backfill")
    .description("materialise a partition range as chunked runs queued for the workers")
    .option("--select <selection>", "assets to backfill (e.g. raw/offres+)")
    .option("--from <key>", "first partition of the range")
    .option("--to <key>", "last partition of the range")
    .option("--chunk <n>", "partitions per run (default 10)", positiveInt)
    .option(
      "--config <json-or-file>",
      "the config of every run, per asset key: JSON or a JSON file (as materialize takes it)",
    )
    .option("--no-wait", "return once the runs are queued, without following them")
    .option("--yes", "confirm a backfill over more partitions than may be started without asking")
    .option("--json", "machine-readable output")
    .action(async (opts: BackfillOptions) => {
      requireBackfillRange(opts);
      await ctx.run((defs, rt) => backfillCommand(defs, rt, opts, ctx.io));
    });
  // Options given after a subcommand's argument are parsed by `backfill` too: read both.
  const withParent = <T>(own: T): T & { json?: boolean; wait?: boolean } => {
    const parent = backfill.opts<{ json?: boolean; wait?: boolean }>();
    const mine = own as T & { json?: boolean; wait?: boolean };
    return {
      ...mine,
      json: mine.json === true || parent.json === true,
      wait: mine.wait !== false && parent.wait !== false,
    };
  };
  backfill
    .command("list")
    .description("backfills, newest first, with their progress")
    .option("--status <status>", "only backfills in this status", backfillStatus)
    .option("--limit <n>", "how many backfills", positiveInt)
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean; limit?: number; status?: BackfillStatus }) => {
      await ctx.run((_defs, rt) => backfillListCommand(rt, withParent(opts), ctx.io));
    });
  backfill
    .command("show")
    .description("a backfill, its progress and its runs")
    .argument("<backfill-id>")
    .option("--json", "machine-readable output")
    .action(async (id: string, opts: { json?: boolean }) => {
      await ctx.run((_defs, rt) => backfillShowCommand(rt, id, withParent(opts), ctx.io));
    });
  backfill
    .command("cancel")
    .description("cancel a backfill: queued runs are cancelled, started ones asked to stop")
    .argument("<backfill-id>")
    .option("--json", "machine-readable output")
    .action(async (id: string, opts: { json?: boolean }) => {
      await ctx.run((_defs, rt) => backfillCancelCommand(rt, id, withParent(opts), ctx.io));
    });
  backfill
    .command("resume")
    .description("queue the runs an interrupted backfill creation did not, then follow it")
    .argument("<backfill-id>")
    .option("--no-wait", "return once the runs are queued, without following them")
    .option("--json", "machine-readable output")
    .action(async (id: string, opts: { json?: boolean; wait?: boolean }) => {
      await ctx.run((defs, rt) => backfillResumeCommand(defs, rt, id, withParent(opts), ctx.io));
    });
}

function backfillStatus(value: string): BackfillStatus {
  const status = value.toUpperCase();
  if (!(BACKFILL_STATUSES as readonly string[]).includes(status))
    throw new InvalidArgumentError(`expected one of ${BACKFILL_STATUSES.join(", ")}`);
  return status as BackfillStatus;
}
