import type { Queryable } from "../runs/queryable";
import type { ApiTokenRecord, UserRecord } from "./auth-store";
import { TOKEN_COLUMNS, tokenOf, type TokenRow } from "./token-row";
import { SEEN_PRECISION_MS } from "./touch-session";
import { USER_COLUMNS, userOf, type UserRow } from "./user-row";

/**
 * The token of this secret hash, not revoked, of a user not disabled, with its user; its
 * `last_used_at` is set to `now` when it is more than a minute old. One statement.
 */
export async function useToken(
  db: Queryable,
  secretHash: Buffer,
  now: Date,
): Promise<{ token: ApiTokenRecord; user: UserRecord } | undefined> {
  const { rows } = await db.query<TokenRow & UserRow>(
    `WITH found AS (
       SELECT t.id, t.user_id, t.label, t.scope, t.created_at, t.revoked_at,
              t.last_used_at IS NULL
                OR t.last_used_at < $2::timestamptz - make_interval(secs => $3::float8 / 1000)
                AS stale,
              t.last_used_at AS previously_used_at
       FROM lignee.api_tokens t JOIN lignee.users u ON u.id = t.user_id
       WHERE t.secret_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL),
     used AS (
       UPDATE lignee.api_tokens t SET last_used_at = $2
       FROM found WHERE t.id = found.id AND found.stale)
     SELECT ${TOKEN_COLUMNS}, ${USER_COLUMNS}
     FROM (SELECT f.*, CASE WHEN f.stale THEN $2::timestamptz ELSE f.previously_used_at END
                         AS last_used_at
           FROM found f) t
     JOIN lignee.users u ON u.id = t.user_id`,
    [secretHash, now, SEEN_PRECISION_MS],
  );
  const row = rows[0];
  return row ? { token: tokenOf(row), user: userOf(row) } : undefined;
}
