import type { Queryable } from "../runs/queryable";
import type { ApiTokenRecord } from "./auth-store";
import { TOKEN_COLUMNS, tokenOf, type TokenRow } from "./token-row";

/**
 * Revokes a token, of that user only when `userName` is given: the token as revoked, or
 * undefined when there is none such or it was already revoked. An id that is not a number is
 * no token.
 */
export async function revokeToken(
  db: Queryable,
  id: string,
  at: Date,
  userName?: string,
): Promise<ApiTokenRecord | undefined> {
  if (!/^[0-9]{1,18}$/.test(id)) return undefined;
  const { rows } = await db.query<TokenRow>(
    `UPDATE lignee.api_tokens t SET revoked_at = $2
     FROM lignee.users u
     WHERE t.id = $1::bigint AND u.id = t.user_id AND t.revoked_at IS NULL
       AND ($3::text IS NULL OR lower(u.name) = lower($3))
     RETURNING ${TOKEN_COLUMNS}`,
    [id, at, userName ?? null],
  );
  return rows[0] ? tokenOf(rows[0]) : undefined;
}
