import type { Queryable } from "../runs/queryable";

/** What `pruneSignInLeftovers` would delete. */
export async function countSignInLeftovers(
  db: Queryable,
  failuresCutoff: Date,
  expiredBy: Date,
): Promise<{ failures: number; sessions: number }> {
  const { rows } = await db.query<{ failures: string; sessions: string }>(
    `SELECT (SELECT count(*) FROM lignee.sign_in_failures WHERE at < $1) AS failures,
            (SELECT count(*) FROM lignee.sessions WHERE expires_at <= $2) AS sessions`,
    [failuresCutoff, expiredBy],
  );
  return { failures: Number(rows[0]!.failures), sessions: Number(rows[0]!.sessions) };
}

/**
 * Deletes failed sign-ins older than `failuresCutoff` (the rate limit looks at minutes, not
 * days) and sessions whose absolute expiry is not after `expiredBy` (no request can use them).
 * Resolves to the failed sign-ins and the sessions deleted.
 */
export async function pruneSignInLeftovers(
  db: Queryable,
  failuresCutoff: Date,
  expiredBy: Date,
): Promise<{ failures: number; sessions: number }> {
  const { rows } = await db.query<{ failures: string; sessions: string }>(
    `WITH failures AS (
       DELETE FROM lignee.sign_in_failures WHERE at < $1 RETURNING 1),
     sessions AS (
       DELETE FROM lignee.sessions WHERE expires_at <= $2 RETURNING 1)
     SELECT (SELECT count(*) FROM failures) AS failures,
            (SELECT count(*) FROM sessions) AS sessions`,
    [failuresCutoff, expiredBy],
  );
  return { failures: Number(rows[0]!.failures), sessions: Number(rows[0]!.sessions) };
}
