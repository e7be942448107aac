import type pg from "pg";

/**
 * Within a transaction: locks the user's row (FOR UPDATE, until the transaction ends). A
 * sign-in under way reads the row FOR SHARE (`createSession`): it either finished before this
 * lock, and its session is visible to the statements that follow, or it waits for the
 * transaction and then sees what it changed.
 */
export async function lockUser(
  tx: pg.PoolClient,
  where: { id: string } | { name: string },
): Promise<void> {
  if ("id" in where) {
    await tx.query(`SELECT 1 FROM lignee.users WHERE id = $1::bigint FOR UPDATE`, [where.id]);
  } else {
    await tx.query(`SELECT 1 FROM lignee.users WHERE lower(name) = lower($1) FOR UPDATE`, [
      where.name,
    ]);
  }
}
