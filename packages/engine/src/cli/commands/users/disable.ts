import { auditCli, existingUser, type UsersCli } from "./users-cli";

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
  const disabled = await cli.store.disableUser(user.name, at);
  // Disabled by somebody else since it was read: theirs is the line in the audit trail.
  if (disabled?.disabledAt && disabled.disabledAt.getTime() !== at.getTime()) {
    cli.io.out(`${user.name} is already disabled.`);
    return 0;
  }
  await auditCli(cli, "user.disable", user.name, {}, at);
  cli.io.out(`Disabled ${user.name}: its sessions ended and its tokens were revoked.`);
  return 0;
}
