import type { Queryable } from "../runs/queryable";
import type { ApiTokenRecord } from "./auth-store";
import { TOKEN_COLUMNS, tokenOf, type TokenRow } from "./token-row";

/** Every token, revoked ones too, newest first; only the named user's when `userName` is given. */
export async function listTokens(db: Queryable, userName?: string): Promise<ApiTokenRecord[]> {
  const { rows } = await db.query<TokenRow>(
    `SELECT ${TOKEN_COLUMNS}
     FROM lignee.api_tokens t JOIN lignee.users u ON u.id = t.user_id
     WHERE $1::text IS NULL OR lower(u.name) = lower($1)
     ORDER BY t.id DESC`,
    [userName ?? null],
  );
  return rows.map(tokenOf);
}
