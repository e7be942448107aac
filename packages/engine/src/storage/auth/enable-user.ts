import type { Queryable } from "../runs/queryable";
import type { UserRecord } from "./auth-store";
import { USER_COLUMNS, userOf, type UserRow } from "./user-row";

/**
 * Enables a disabled user (an active one stays as it is): it may sign in again. The tokens
 * revoked when it was disabled stay revoked. Undefined: no such user.
 */
export async function enableUser(
  db: Queryable,
  name: string,
  _at: Date,
): Promise<UserRecord | undefined> {
  const { rows } = await db.query<UserRow>(
    `UPDATE lignee.users u SET disabled_at = NULL WHERE lower(u.name) = lower($1)
     RETURNING ${USER_COLUMNS}`,
    [name],
  );
  return rows[0] ? userOf(rows[0]) : undefined;
}
