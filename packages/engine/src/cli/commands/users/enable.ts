import { existingUser, type UsersCli } from "./users-cli";

/**
 * `lignee users enable NAME`: a disabled user may sign in again. The tokens revoked when it
 * was disabled stay revoked (it makes new ones). An unknown user: exit 2.
 */
export async function usersEnableCommand(cli: UsersCli, name: string): Promise<number> {
  const user = await existingUser(cli.store, name);
  if (!user.disabledAt) {
    cli.io.out(`${user.name} is not disabled.`);
    return 0;
  }
  const at = cli.now();
  await cli.store.enableUser(user.name, at);
  await cli.store.recordAudit({
    actor: cli.actor,
    actorKind: "cli",
    action: "user.enable",
    target: user.name,
    detail: {},
    at,
  });
  cli.io.out(`Enabled ${user.name}: it can sign in again; its revoked tokens stay revoked.`);
  return 0;
}
