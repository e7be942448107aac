import type pg from "pg";
import { inTransaction } from "../transaction";
import { lockUser } from "./lock-user";

/**
 * Sets the user's password hash (changed at `at`), deletes its sessions and forgets its failed
 * sign-ins (a user locked out signs in with the new password at once), under the user's row
 * lock (see `lockUser`: a sign-in with the old password under way either made its session
 * before, deleted here, or makes none) and in one statement; false: no such user.
 */
export async function setPassword(
  pool: pg.Pool,
  name: string,
  passwordHash: string,
  at: Date,
): Promise<boolean> {
  return inTransaction(pool, "set password", async (tx) => {
    await lockUser(tx, { name });
    const { rows } = await tx.query<{ id: string }>(
      `WITH u AS (
         UPDATE lignee.users SET password_hash = $2, password_changed_at = $3
         WHERE lower(name) = lower($1)
         RETURNING id, name),
       ended AS (
         DELETE FROM lignee.sessions s USING u WHERE s.user_id = u.id),
       forgotten AS (
         DELETE FROM lignee.sign_in_failures f USING u WHERE f.key = 'user:' || lower(u.name))
       SELECT id::text FROM u`,
      [name, passwordHash, at],
    );
    return rows.length > 0;
  });
}
