import type { Queryable } from "../runs/queryable";

/**
 * Records a new session by the SHA-256 of its secret, only if the user still has the password
 * hash the sign-in verified and is not disabled: a password set (or a user disabled) while the
 * sign-in was checking the old password wins, and no session is made. The user's row is read
 * FOR SHARE: a password change holding it (see `lockUser`) is waited for, and then its new hash
 * is read; a change that comes after waits for this session, and ends it. False: none was.
 */
export async function createSession(
  db: Queryable,
  session: { userId: string; passwordHash: string; secretHash: Buffer; at: Date; expiresAt: Date },
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO lignee.sessions (secret_hash, user_id, created_at, last_seen_at, expires_at)
     SELECT $1, u.id, $3, $3, $4 FROM lignee.users u
     WHERE u.id = $2::bigint AND u.password_hash = $5 AND u.disabled_at IS NULL
     FOR SHARE OF u`,
    [session.secretHash, session.userId, session.at, session.expiresAt, session.passwordHash],
  );
  return (result.rowCount ?? 0) > 0;
}
