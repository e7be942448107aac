import type { Queryable } from "../runs/queryable";

/** Sets the user's password hash and deletes its sessions, in one statement; false: no such user. */
export async function setPassword(
  db: Queryable,
  name: string,
  passwordHash: string,
): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    `WITH u AS (
       UPDATE lignee.users SET password_hash = $2
       WHERE lower(name) = lower($1)
       RETURNING id),
     ended AS (
       DELETE FROM lignee.sessions s USING u WHERE s.user_id = u.id)
     SELECT id::text FROM u`,
    [name, passwordHash],
  );
  return rows.length > 0;
}
