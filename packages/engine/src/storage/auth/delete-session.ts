import type { Queryable } from "../runs/queryable";

/** Ends a session (signing out): its cookie is refused from now on. */
export async function deleteSession(db: Queryable, secretHash: Buffer): Promise<void> {
  await db.query(`DELETE FROM lignee.sessions WHERE secret_hash = $1`, [secretHash]);
}
