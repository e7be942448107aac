import type pg from "pg";
import { AuthStoreError, quote } from "../../errors";

/**
 * The advisory lock serialising the changes that can leave no active admin (taken with two
 * keys: apart from the locks taken with one).
 */
const ADMINS_LOCK = 7_342_031;

/**
 * Within a transaction: serialises the changes that can take away an active admin (an
 * advisory lock, held until the transaction ends), then refuses (`AuthStoreError`,
 * LAST_ADMIN) when the user named is an active admin and no other is. Read after the lock, so
 * a disable and a demote of the last two admins cannot both pass.
 */
export async function keepAnAdmin(tx: pg.PoolClient, name: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock($1, 0)`, [ADMINS_LOCK]);
  const { rows } = await tx.query<{ target: boolean; others: boolean }>(
    `SELECT
       EXISTS (SELECT 1 FROM lignee.users
               WHERE lower(name) = lower($1) AND role = 'admin' AND disabled_at IS NULL) AS target,
       EXISTS (SELECT 1 FROM lignee.users
               WHERE lower(name) <> lower($1) AND role = 'admin' AND disabled_at IS NULL) AS others`,
    [name],
  );
  if (rows[0]?.target && !rows[0].others) {
    throw new AuthStoreError("LAST_ADMIN", `${quote(name)} is the last active admin`);
  }
}
