import type { Queryable } from "../runs/queryable";

/** Forgets a key's failed sign-ins (after a successful one). */
export async function clearSignInFailures(db: Queryable, key: string): Promise<void> {
  await db.query(`DELETE FROM lignee.sign_in_failures WHERE key = $1`, [key]);
}
