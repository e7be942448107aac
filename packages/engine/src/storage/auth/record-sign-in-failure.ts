import type { Queryable } from "../runs/queryable";

/** Records one failed sign-in under each key (`user:alice`, `address:192.0.2.1`). */
export async function recordSignInFailure(
  db: Queryable,
  keys: readonly string[],
  at: Date,
): Promise<void> {
  if (keys.length === 0) return;
  await db.query(`INSERT INTO lignee.sign_in_failures (key, at) SELECT unnest($1::text[]), $2`, [
    keys,
    at,
  ]);
}
