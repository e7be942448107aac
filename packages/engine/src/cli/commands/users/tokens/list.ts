import { table } from "../../../format";
import { existingUser, shortDate, type UsersCli } from "../users-cli";

/**
 * `lignee users tokens list [NAME] [--json]`: API tokens (of one user when named), newest
 * first, with when each was last used and whether it is revoked. An unknown user: exit 2.
 */
export async function usersTokensListCommand(
  cli: UsersCli,
  name: string | undefined,
  options: { json?: boolean },
): Promise<number> {
  if (name !== undefined) await existingUser(cli.store, name);
  const tokens = await cli.store.listTokens(name);
  if (options.json) {
    const body = tokens.map((t) => ({
      id: t.id,
      user: t.userName,
      label: t.label,
      scope: t.scope,
      createdAt: t.createdAt.toISOString(),
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      revokedAt: t.revokedAt?.toISOString() ?? null,
    }));
    cli.io.out(JSON.stringify({ tokens: body }, null, 2));
  } else if (tokens.length === 0) {
    cli.io.out(name === undefined ? "No API token yet." : `${name} has no API token.`);
  } else {
    const rows = tokens.map((t) => [
      t.id,
      t.userName,
      t.label,
      t.scope,
      shortDate(t.createdAt),
      shortDate(t.lastUsedAt),
      t.revokedAt ? `revoked ${shortDate(t.revokedAt)}` : "active",
    ]);
    cli.io.out(
      table([["ID", "USER", "LABEL", "SCOPE", "CREATED", "LAST USED", "STATUS"], ...rows]),
    );
  }
  return 0;
}
