import type { Role } from "../../auth/roles";
import type pg from "pg";
import { inTransaction } from "../transaction";
import type { UserRecord } from "./auth-store";
import { keepAnAdmin } from "./keep-an-admin";
import { USER_COLUMNS, userOf, type UserRow } from "./user-row";

/**
 * Gives the user another role (its sessions and tokens act with it from their next request).
 * Refuses (`AuthStoreError`, LAST_ADMIN) to take the role of the last active admin.
 */
export async function setRole(
  pool: pg.Pool,
  name: string,
  role: Role,
): Promise<UserRecord | undefined> {
  return inTransaction(pool, "set role", async (tx) => {
    if (role !== "admin") await keepAnAdmin(tx, name);
    const { rows } = await tx.query<UserRow>(
      `UPDATE lignee.users u SET role = $2 WHERE lower(u.name) = lower($1)
       RETURNING ${USER_COLUMNS}`,
      [name, role],
    );
    return rows[0] ? userOf(rows[0]) : undefined;
  });
}
