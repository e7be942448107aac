import type pg from "pg";
import type { Role } from "../../auth/roles";
import { AuthStoreError, quote } from "../../errors";

/**
 * The advisory lock serialising the changes that can leave no active admin (taken with two
 * keys: apart from the locks taken with one).
 */
const ADMINS_LOCK = 7_342_031;

/**
 * What a user who is no admin, added or enabled while no admin is active, is refused with (the
 * API and the UI show it as it is; the CLI adds how to make one).
 */
export const NEEDS_ADMIN_MESSAGE = "the first user must be an admin";

/** Within a transaction: serialises the changes to who the active admins are (until it ends). */
async function lockAdmins(tx: pg.PoolClient): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock($1, 0)`, [ADMINS_LOCK]);
}

/**
 * Within a transaction: serialises the changes that can take away an active admin (an
 * advisory lock, held until the transaction ends), then refuses (`AuthStoreError`,
 * LAST_ADMIN) when the user named is an active admin and no other is. Read after the lock, so
 * a disable and a demote of the last two admins cannot both pass.
 */
export async function keepAnAdmin(tx: pg.PoolClient, name: string): Promise<void> {
  await lockAdmins(tx);
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

/**
 * Within a transaction: under the same lock, refuses (`AuthStoreError`, NEEDS_ADMIN) a user
 * of `role` who is no admin, added or enabled while no admin is active: sign-in would be on (a user is active)
 * with nobody to administer the server.
 */
export async function adminFirst(tx: pg.PoolClient, role: Role): Promise<void> {
  if (role === "admin") return;
  await lockAdmins(tx);
  const { rows } = await tx.query<{ any: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM lignee.users WHERE role = 'admin' AND disabled_at IS NULL) AS any`,
  );
  if (!rows[0]?.any) throw new AuthStoreError("NEEDS_ADMIN", NEEDS_ADMIN_MESSAGE);
}
