import { tokenScopeProblem } from "../../../../auth/roles";
import { newTokenSecret, sha256, tokenLabelProblem } from "../../../../auth/secrets";
import { AuthStoreError, quote } from "../../../../errors";
import { auditCli, existingUser, requireScope, type UsersCli } from "../users-cli";

/**
 * `lignee users tokens create NAME --scope read|operate [--label L]`: a new API token of the
 * user. Its secret goes to standard output, alone, this once (it is stored hashed); what it is
 * goes to standard error. An unknown or disabled user, a bad scope or label, a scope above the
 * user's role (a viewer's tokens read): exit 2.
 */
export async function usersTokensCreateCommand(
  cli: UsersCli,
  name: string,
  options: { scope: string; label?: string },
): Promise<number> {
  const scope = requireScope(options.scope);
  const label = options.label ?? "cli";
  const labelProblem = tokenLabelProblem(label);
  if (labelProblem) throw new AuthStoreError("INVALID_USER", labelProblem);
  const user = await existingUser(cli.store, name);
  if (user.disabledAt) {
    throw new AuthStoreError("INVALID_USER", `${quote(user.name)} is disabled: it has no tokens`);
  }
  const scopeProblem = tokenScopeProblem(user.role, scope);
  if (scopeProblem) throw new AuthStoreError("INVALID_USER", scopeProblem);
  const secret = newTokenSecret();
  const at = cli.now();
  const token = await cli.store.createToken({
    userId: user.id,
    label,
    scope,
    secretHash: sha256(secret),
    at,
  });
  await auditCli(cli, "token.create", token.id, { user: user.name, label, scope }, at);
  cli.io.err(
    `Created token ${token.id} of ${user.name} (scope ${scope}, label ${quote(label)}). Its secret, shown this once:`,
  );
  cli.io.out(secret);
  return 0;
}
