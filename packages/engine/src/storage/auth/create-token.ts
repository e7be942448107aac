import type { TokenScope } from "../../auth/roles";
import { AuthStoreError } from "../../errors";
import type { Queryable } from "../runs/queryable";
import type { ApiTokenRecord } from "./auth-store";
import { TOKEN_COLUMNS, tokenOf, type TokenRow } from "./token-row";

/** Records a user's new API token by the SHA-256 of its secret. */
export async function createToken(
  db: Queryable,
  token: { userId: string; label: string; scope: TokenScope; secretHash: Buffer; at: Date },
): Promise<ApiTokenRecord> {
  const { rows } = await db.query<TokenRow>(
    `WITH t AS (
       INSERT INTO lignee.api_tokens (user_id, label, scope, secret_hash, created_at)
       SELECT id, $2, $3, $4, $5 FROM lignee.users WHERE id = $1::bigint
       RETURNING *)
     SELECT ${TOKEN_COLUMNS} FROM t JOIN lignee.users u ON u.id = t.user_id`,
    [token.userId, token.label, token.scope, token.secretHash, token.at],
  );
  if (!rows[0]) throw new AuthStoreError("UNKNOWN_USER", `no user of id ${token.userId}`);
  return tokenOf(rows[0]);
}
