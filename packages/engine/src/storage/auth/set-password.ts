import type { Queryable } from "../runs/queryable";

/**
 * Sets the user's password hash (changed at `at`) and deletes its sessions, in one statement;
 * false: no such user.
 */
export async function setPassword(
  db: Queryable,
  name: string,
  passwordHash: string,
  at: Date,
): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    `WITH u AS (
       UPDATE lignee.users SET password_hash = $2, password_changed_at = $3
       WHERE lower(name) = lower($1)
       RETURNING id),
     ended AS (
       DELETE FROM lignee.sessions s USING u WHERE s.user_id = u.id)
     SELECT id::text FROM u`,
    [name, passwordHash, at],
  );
  return rows.length > 0;
}
