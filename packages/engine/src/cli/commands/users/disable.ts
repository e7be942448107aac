import { existingUser, type UsersCli } from "./users-cli";

/**
 * `lignee users disable NAME`: the user can no longer sign in; its sessions end and its tokens
 * are revoked at once. An unknown user: exit 2.
 */
export async function usersDisableCommand(cli: UsersCli, name: string): Promise<number> {
  const user = await existingUser(cli.store, name);
  if (user.disabledAt) {
    cli.io.out(`${user.name} is already disabled.`);
    return 0;
  }
  const at = cli.now();
  await cli.store.disableUser(user.name, at);
  await cli.store.recordAudit({
    actor: cli.actor,
    actorKind: "cli",
    action: "user.disable",
    target: user.name,
    detail: {},
    at,
  });
  cli.io.out(`Disabled ${user.name}: its sessions ended and its tokens were revoked.`);
  return 0;
}
