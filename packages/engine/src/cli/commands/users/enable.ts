import { AuthStoreError, quote } from "../../../errors";
import { auditCli, needsAdminHint, type UsersCli } from "./users-cli";

/**
 * `lignee users enable NAME`: a disabled user may sign in again. The tokens revoked when it
 * was disabled stay revoked (it makes new ones). An unknown user, or one who is no admin while
 * no admin is active: exit 2. An active user is left as it is, with nothing recorded.
 */
export async function usersEnableCommand(cli: UsersCli, name: string): Promise<number> {
  const at = cli.now();
  const enabled = await cli.store
    .enableUser(name)
    .catch(needsAdminHint("enable an admin first, or add one with --role admin"));
  if (!enabled) throw new AuthStoreError("UNKNOWN_USER", `no user named ${quote(name)}`);
  const { user } = enabled;
  if (!enabled.changed) {
    cli.io.out(`${user.name} is already active.`);
    return 0;
  }
  await auditCli(cli, "user.enable", user.name, {}, at);
  cli.io.out(`Enabled ${user.name}: it can sign in again; its revoked tokens stay revoked.`);
  return 0;
}
