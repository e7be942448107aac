import { table } from "../../format";
import { shortDate, type UsersCli } from "./users-cli";

/** `lignee users list [--json]`: every user, with its role, whether disabled, its last sign-in. */
export async function usersListCommand(
  cli: UsersCli,
  options: { json?: boolean },
): Promise<number> {
  const users = await cli.store.listUsers();
  if (options.json) {
    const body = users.map((u) => ({
      name: u.name,
      role: u.role,
      disabled: u.disabledAt !== null,
      createdAt: u.createdAt.toISOString(),
      lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
    }));
    cli.io.out(JSON.stringify({ users: body }, null, 2));
  } else if (users.length === 0) {
    cli.io.out(
      "No user yet: the API needs no sign-in on loopback (lignee users add NAME --role admin).",
    );
  } else {
    const rows = users.map((u) => [
      u.name,
      u.role,
      u.disabledAt ? `disabled ${shortDate(u.disabledAt)}` : "active",
      shortDate(u.createdAt),
      shortDate(u.lastSignInAt),
    ]);
    cli.io.out(table([["NAME", "ROLE", "STATUS", "CREATED", "LAST SIGN-IN"], ...rows]));
  }
  return 0;
}
