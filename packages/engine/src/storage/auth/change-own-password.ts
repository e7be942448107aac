import type { Queryable } from "../runs/queryable";

/**
 * A user's own change of its password, in one statement: sets the new hash (changed at `at`)
 * only while the user still has `currentHash` (the one just verified) and is not disabled,
 * ends the user's other sessions (the one of `keptSessionHash` stays) and forgets its failed
 * sign-ins. False: nothing changed (the password was set meanwhile, or the user disabled).
 */
export async function changeOwnPassword(
  db: Queryable,
  change: {
    userId: string;
    currentHash: string;
    passwordHash: string;
    keptSessionHash: Buffer;
    at: Date;
  },
): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    `WITH u AS (
       UPDATE lignee.users SET password_hash = $3, password_changed_at = $5
       WHERE id = $1::bigint AND password_hash = $2 AND disabled_at IS NULL
       RETURNING id, name),
     ended AS (
       DELETE FROM lignee.sessions s USING u
       WHERE s.user_id = u.id AND s.secret_hash <> $4),
     forgotten AS (
       DELETE FROM lignee.sign_in_failures f USING u WHERE f.key = 'user:' || lower(u.name))
     SELECT id::text FROM u`,
    [change.userId, change.currentHash, change.passwordHash, change.keptSessionHash, change.at],
  );
  return rows.length > 0;
}
