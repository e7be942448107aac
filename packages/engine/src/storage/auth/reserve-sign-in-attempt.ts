import type pg from "pg";
import { inTransaction } from "../transaction";

/** The advisory lock space of sign-in keys (the second key is the sign-in key's hash). */
const SIGN_IN_LOCK = 7_342_030;

/** A sign-in attempt counted in advance (see `reserveSignInAttempt`). */
export interface SignInReservation {
  /** The rows recorded for this attempt, one per key: released when it was not a failure. */
  readonly ids: readonly string[];
  /** Per key that has any, the failures recorded before this attempt since `since`, oldest first. */
  readonly earlier: ReadonlyMap<string, readonly Date[]>;
}

/**
 * Records a sign-in attempt as a failure under each key before its password is checked, and
 * answers the failures recorded before it. Attempts on the same keys are serialised (an
 * advisory lock per key, taken in the keys' order), so parallel attempts each see those
 * reserved before them: none slips past the limit. The caller releases the rows of an attempt
 * that succeeded or was refused before checking anything (`releaseSignInAttempt`).
 */
export async function reserveSignInAttempt(
  pool: pg.Pool,
  keys: readonly string[],
  at: Date,
  since: Date,
): Promise<SignInReservation> {
  const sorted = [...new Set(keys)].sort();
  return inTransaction(pool, "sign-in attempt", async (tx) => {
    await tx.query(
      `SELECT pg_advisory_xact_lock($2, hashtext(k))
       FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i) ORDER BY i`,
      [sorted, SIGN_IN_LOCK],
    );
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO lignee.sign_in_failures (key, at) SELECT unnest($1::text[]), $2 RETURNING id`,
      [sorted, at],
    );
    const ids = inserted.rows.map((r) => r.id);
    const { rows } = await tx.query<{ key: string; times: Date[] }>(
      `SELECT key, array_agg(at ORDER BY at, id) AS times
       FROM lignee.sign_in_failures
       WHERE key = ANY($1::text[]) AND at >= $2 AND NOT (id = ANY($3::bigint[]))
       GROUP BY key`,
      [sorted, since, ids],
    );
    return { ids, earlier: new Map(rows.map((r) => [r.key, r.times])) };
  });
}
