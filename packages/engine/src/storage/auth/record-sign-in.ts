import type { Queryable } from "../runs/queryable";

/** Notes the time of the user's latest sign-in. */
export async function recordSignIn(db: Queryable, userId: string, at: Date): Promise<void> {
  await db.query(`UPDATE lignee.users SET last_sign_in_at = $2 WHERE id = $1::bigint`, [
    userId,
    at,
  ]);
}
