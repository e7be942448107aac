import type { Queryable } from "../runs/queryable";

/** Records a new session by the SHA-256 of its secret. */
export async function createSession(
  db: Queryable,
  session: { userId: string; secretHash: Buffer; at: Date; expiresAt: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO lignee.sessions (secret_hash, user_id, created_at, last_seen_at, expires_at)
     VALUES ($1, $2::bigint, $3, $3, $4)`,
    [session.secretHash, session.userId, session.at, session.expiresAt],
  );
}
