import { hashPassword, passwordProblem } from "../../../auth/password";
import { AuthStoreError } from "../../../errors";
import type { PasswordSource } from "../../password-input";
import { existingUser, type UsersCli } from "./users-cli";

/**
 * `lignee users set-password NAME [--password-stdin]`: a new password (at least 12
 * characters); the user's sessions end. An unknown user or a bad password: exit 2.
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
  await cli.store.setPassword(user.name, await hashPassword(password), at);
  await cli.store.recordAudit({
    actor: cli.actor,
    actorKind: "cli",
    action: "user.set-password",
    target: user.name,
    detail: {},
    at,
  });
  cli.io.out(`Set the password of ${user.name}; its sessions ended.`);
  return 0;
}
