import { hashPassword, passwordProblem } from "../../../auth/password";
import { AuthStoreError, quote } from "../../../errors";
import type { PasswordSource } from "../../password-input";
import { auditCli, needsAdminHint, requireRole, requireUserName, type UsersCli } from "./users-cli";

/**
 * `lignee users add NAME --role R [--password-stdin]`: a new user with a password (at least 12
 * characters). A bad or taken name, an unknown role or a bad password: exit 2, nothing written.
 */
export async function usersAddCommand(
  cli: UsersCli,
  name: string,
  options: { role: string },
  readPassword: PasswordSource,
): Promise<number> {
  requireUserName(name);
  const role = requireRole(options.role);
  if (await cli.store.findUser(name)) {
    throw new AuthStoreError("CONFLICT", `a user named ${quote(name)} already exists`);
  }
  const password = await readPassword();
  const problem = passwordProblem(password);
  if (problem) throw new AuthStoreError("INVALID_USER", problem);
  const at = cli.now();
  const user = await cli.store
    .addUser({ name, role, passwordHash: await hashPassword(password), at })
    .catch(needsAdminHint("add one with --role admin"));
  await auditCli(cli, "user.add", user.name, { role }, at);
  cli.io.out(`Added user ${user.name} (${role}).`);
  return 0;
}
