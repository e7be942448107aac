import { auditCli, existingUser, requireRole, type UsersCli } from "./users-cli";

/** `lignee users set-role NAME ROLE`. An unknown user or role: exit 2. */
export async function usersSetRoleCommand(
  cli: UsersCli,
  name: string,
  roleName: string,
): Promise<number> {
  const role = requireRole(roleName);
  const user = await existingUser(cli.store, name);
  await cli.store.setRole(user.name, role);
  await auditCli(cli, "user.set-role", user.name, { role, previous: user.role }, cli.now());
  cli.io.out(`${user.name} is now ${role} (was ${user.role}).`);
  return 0;
}
