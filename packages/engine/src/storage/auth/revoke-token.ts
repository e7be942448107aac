import type { Queryable } from "../runs/queryable";

/**
 * Revokes a token, of that user only when `userName` is given; false when there is none such
 * or it was already revoked. An id that is not a number is no token.
 */
export async function revokeToken(
  db: Queryable,
  id: string,
  at: Date,
  userName?: string,
): Promise<boolean> {
  if (!/^[0-9]{1,18}$/.test(id)) return false;
  const result = await db.query(
    `UPDATE lignee.api_tokens t SET revoked_at = $2
     FROM lignee.users u
     WHERE t.id = $1::bigint AND u.id = t.user_id AND t.revoked_at IS NULL
       AND ($3::text IS NULL OR lower(u.name) = lower($3))`,
    [id, at, userName ?? null],
  );
  return (result.rowCount ?? 0) > 0;
}
