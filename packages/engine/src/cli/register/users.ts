import { Argument, Option, type Command } from "commander";
import { ROLES, TOKEN_SCOPES } from "../../auth/roles";
import { PostgresAuthStore } from "../../storage/auth/postgres-auth-store";
import type { CommandContext } from "../command-context";
import { usersAddCommand } from "../commands/users/add";
import { usersDisableCommand } from "../commands/users/disable";
import { usersEnableCommand } from "../commands/users/enable";
import { usersListCommand } from "../commands/users/list";
import { usersSetPasswordCommand } from "../commands/users/set-password";
import { usersSetRoleCommand } from "../commands/users/set-role";
import { usersTokensCreateCommand } from "../commands/users/tokens/create";
import { usersTokensListCommand } from "../commands/users/tokens/list";
import { usersTokensRevokeCommand } from "../commands/users/tokens/revoke";
import type { UsersCli } from "../commands/users/users-cli";
import { osUser } from "../os-user";
import { passwordSource } from "../password-input";

/**
 * `lignee users add|list|disable|enable|set-password|set-role` and `lignee users tokens
 * create|list|revoke`: who may sign in to the API and the UI, and their API tokens. Passwords
 * come from a hidden prompt or `--password-stdin`, never from the command line.
 */
export function registerUsers(program: Command, ctx: CommandContext): void {
  const withUsers = (work: (cli: UsersCli) => Promise<number>): Promise<void> =>
    ctx.database(async (runtime) => {
      const store = PostgresAuthStore.connect(runtime.databaseUrl, { max: 1 });
      try {
        return await work({
          store,
          io: ctx.io,
          actor: osUser() ?? "unknown",
          now: () => new Date(),
        });
      } finally {
        await store.close();
      }
    });
  const users = program
    .command("users")
    .description("users who sign in to the API and the UI, their roles and API tokens");
  users
    .command("add")
    .description("add a user (password from a hidden prompt, or --password-stdin)")
    .argument("<name>", "letters, digits, . _ - @; 1 to 64 characters")
    .addOption(new Option("--role <role>", "the user's role").choices(ROLES).makeOptionMandatory())
    .option("--password-stdin", "read the password from standard input")
    .action(async (name: string, opts: { role: string; passwordStdin?: boolean }) => {
      await withUsers((cli) => usersAddCommand(cli, name, opts, passwordSource(opts)));
    });
  users
    .command("list")
    .description("every user, its role and last sign-in")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      await withUsers((cli) => usersListCommand(cli, opts));
    });
  users
    .command("disable")
    .description("stop a user from signing in; its sessions end and its tokens are revoked")
    .argument("<name>", "the user")
    .action(async (name: string) => {
      await withUsers((cli) => usersDisableCommand(cli, name));
    });
  users
    .command("enable")
    .description("let a disabled user sign in again (its revoked tokens stay revoked)")
    .argument("<name>", "the user")
    .action(async (name: string) => {
      await withUsers((cli) => usersEnableCommand(cli, name));
    });
  users
    .command("set-password")
    .description("set a user's password (its sessions end)")
    .argument("<name>", "the user")
    .option("--password-stdin", "read the password from standard input")
    .action(async (name: string, opts: { passwordStdin?: boolean }) => {
      await withUsers((cli) => usersSetPasswordCommand(cli, name, passwordSource(opts)));
    });
  users
    .command("set-role")
    .description("give a user another role")
    .argument("<name>", "the user")
    .addArgument(new Argument("<role>", "the new role").choices(ROLES))
    .action(async (name: string, role: string) => {
      await withUsers((cli) => usersSetRoleCommand(cli, name, role));
    });

  const tokens = users.command("tokens").description("users' API tokens (Authorization: Bearer)");
  tokens
    .command("create")
    .description("create an API token of a user; prints its secret once")
    .argument("<name>", "the user")
    .addOption(
      new Option("--scope <scope>", "read: as a viewer; operate: as an operator at most")
        .choices(TOKEN_SCOPES)
        .makeOptionMandatory(),
    )
    .option("--label <label>", "what the token is for", "cli")
    .action(async (name: string, opts: { scope: string; label?: string }) => {
      await withUsers((cli) => usersTokensCreateCommand(cli, name, opts));
    });
  tokens
    .command("list")
    .description("API tokens, of one user when named, with when each was last used")
    .argument("[name]", "the user")
    .option("--json", "machine-readable output")
    .action(async (name: string | undefined, opts: { json?: boolean }) => {
      await withUsers((cli) => usersTokensListCommand(cli, name, opts));
    });
  tokens
    .command("revoke")
    .description("revoke an API token (refused from the next request on)")
    .argument("<id>", "the token's id (lignee users tokens list)")
    .action(async (id: string) => {
      await withUsers((cli) => usersTokensRevokeCommand(cli, id));
    });
}
