import { AuthStoreError, quote } from "../../../../errors";
import { auditCli, type UsersCli } from "../users-cli";

/** `lignee users tokens revoke ID`: refused from the next request on. An unknown id: exit 2. */
export async function usersTokensRevokeCommand(cli: UsersCli, id: string): Promise<number> {
  const token = (await cli.store.listTokens()).find((t) => t.id === id);
  if (!token) {
    throw new AuthStoreError(
      "UNKNOWN_TOKEN",
      `no API token ${quote(id)} (lignee users tokens list shows them)`,
    );
  }
  if (token.revokedAt) {
    cli.io.out(`Token ${token.id} of ${token.userName} is already revoked.`);
    return 0;
  }
  const at = cli.now();
  if (!(await cli.store.revokeToken(token.id, at))) {
    // Revoked by somebody else since it was read: theirs is the line in the audit trail.
    cli.io.out(`Token ${token.id} of ${token.userName} is already revoked.`);
    return 0;
  }
  await auditCli(cli, "token.revoke", token.id, { user: token.userName, label: token.label }, at);
  cli.io.out(`Revoked token ${token.id} of ${token.userName} (${token.label}).`);
  return 0;
}
