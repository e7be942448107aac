import type { Queryable } from "../runs/queryable";
import type { UserRecord } from "./auth-store";
import { USER_COLUMNS, userOf, type UserRow } from "./user-row";

/**
 * Disables the user (an already disabled one keeps its date), deletes its sessions and revokes
 * its tokens: one statement, so all of it or nothing.
 */
export async function disableUser(
  db: Queryable,
  name: string,
  at: Date,
): Promise<UserRecord | undefined> {
  const { rows } = await db.query<UserRow>(
    `WITH u AS (
       UPDATE lignee.users SET disabled_at = coalesce(disabled_at, $2)
       WHERE lower(name) = lower($1)
       RETURNING *),
     ended AS (
       DELETE FROM lignee.sessions s USING u WHERE s.user_id = u.id),
     revoked AS (
       UPDATE lignee.api_tokens t SET revoked_at = $2
       FROM u WHERE t.user_id = u.id AND t.revoked_at IS NULL)
     SELECT ${USER_COLUMNS} FROM u`,
    [name, at],
  );
  return rows[0] ? userOf(rows[0]) : undefined;
}
