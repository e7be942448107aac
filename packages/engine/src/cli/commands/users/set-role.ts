import { existingUser, requireRole, type UsersCli } from "./users-cli";

/** `lignee users set-role NAME ROLE`. An unknown user or role: exit 2. */
export async function usersSetRoleCommand(
  cli: UsersCli,
  name: string,
  roleName: string,
): Promise<number> {
  const role = requireRole(roleName);
  const user = await existingUser(cli.store, name);
  await cli.store.setRole(user.name, role);
  await cli.store.recordAudit({
    actor: cli.actor,
    actorKind: "cli",
    action: "user.set-role",
    target: user.name,
    detail: { role, previous: user.role },
    at: cli.now(),
  });
  cli.io.out(`${user.name} is now ${role} (was ${user.role}).`);
  return 0;
}
