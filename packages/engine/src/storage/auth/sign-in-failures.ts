import type { Queryable } from "../runs/queryable";

/** Per key that has any, the failed sign-ins since `since` and the oldest of them. */
export async function signInFailures(
  db: Queryable,
  keys: readonly string[],
  since: Date,
): Promise<Map<string, { count: number; oldest: Date }>> {
  const { rows } = await db.query<{ key: string; count: string; oldest: Date }>(
    `SELECT key, count(*) AS count, min(at) AS oldest
     FROM lignee.sign_in_failures
     WHERE key = ANY($1::text[]) AND at >= $2
     GROUP BY key`,
    [keys, since],
  );
  return new Map(rows.map((r) => [r.key, { count: Number(r.count), oldest: r.oldest }]));
}
