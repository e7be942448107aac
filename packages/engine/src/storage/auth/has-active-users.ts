import type { Queryable } from "../runs/queryable";

/** Is there a user not disabled? */
export async function hasActiveUsers(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ any: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM lignee.users WHERE disabled_at IS NULL) AS any`,
  );
  return rows[0]!.any;
}
