import type { Queryable } from "../runs/queryable";

/** Forgets the rows of a reserved sign-in attempt that was not a failure (see `reserveSignInAttempt`). */
export async function releaseSignInAttempt(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`DELETE FROM lignee.sign_in_failures WHERE id = ANY($1::bigint[])`, [ids]);
}
