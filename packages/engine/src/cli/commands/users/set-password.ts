import { hashPassword, passwordProblem } from "../../../auth/password";
import { AuthStoreError } from "../../../errors";
import type { PasswordSource } from "../../password-input";
import { auditCli, existingUser, type UsersCli } from "./users-cli";

/**
 * `lignee users set-password NAME [--password-stdin]`: a new password (at least 12
 * characters); the user's sessions end and its failed sign-ins are forgotten. A disabled user
 * stays disabled (said). An unknown user or a bad password: exit 2.
 */
export async function usersSetPasswordCommand(
  cli: UsersCli,
  name: string,
  readPassword: PasswordSource,
): Promise<number> {
  const user = await existingUser(cli.store, name);
  const password = await readPassword();
  const problem = passwordProblem(password);
  if (problem) throw new AuthStoreError("INVALID_USER", problem);
  const at = cli.now();
  if (!(await cli.store.setPassword(user.name, await hashPassword(password), at))) {
    throw new AuthStoreError("UNKNOWN_USER", `no user ${user.name}`);
  }
  await auditCli(cli, "user.set-password", user.name, {}, at);
  cli.io.out(
    user.disabledAt
      ? `Set the password of ${user.name}; its sessions ended. ${user.name} stays disabled: lignee users enable ${user.name} lets it sign in.`
      : `Set the password of ${user.name}; its sessions ended.`,
  );
  return 0;
}
