import type pg from "pg";
import { inTransaction } from "../transaction";
import type { UserRecord } from "./auth-store";
import { adminFirst } from "./keep-an-admin";
import { USER_COLUMNS, userOf, type UserRow } from "./user-row";

/**
 * Enables a disabled user: it may sign in again; the tokens revoked when it was disabled stay
 * revoked. An active user stays as it is (`changed` false). Refuses (`AuthStoreError`,
 * NEEDS_ADMIN) a user who is no admin while no admin is active: sign-in would be on with nobody
 * to administer the server. Undefined: no such user.
 */
export async function enableUser(
  pool: pg.Pool,
  name: string,
): Promise<{ user: UserRecord; changed: boolean } | undefined> {
  return inTransaction(pool, "enable user", async (tx) => {
    const found = await tx.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM lignee.users u WHERE lower(u.name) = lower($1) FOR UPDATE`,
      [name],
    );
    const user = found.rows[0] ? userOf(found.rows[0]) : undefined;
    if (!user) return undefined;
    if (user.disabledAt === null) return { user, changed: false };
    await adminFirst(tx, user.role);
    const { rows } = await tx.query<UserRow>(
      `UPDATE lignee.users u SET disabled_at = NULL
       WHERE u.id = $1::bigint AND u.disabled_at IS NOT NULL
       RETURNING ${USER_COLUMNS}`,
      [user.id],
    );
    return { user: userOf(rows[0]!), changed: true };
  });
}
