import type pg from "pg";
import { inTransaction } from "../transaction";
import type { UserRecord } from "./auth-store";
import { keepAnAdmin } from "./keep-an-admin";
import { lockUser } from "./lock-user";
import { USER_COLUMNS, userOf, type UserRow } from "./user-row";

/**
 * Disables the user (an already disabled one keeps its date), deletes its sessions and revokes
 * its tokens: one statement under the user's row lock (see `lockUser`), so all of it or
 * nothing. Refuses (`AuthStoreError`, LAST_ADMIN) to disable the last active admin.
 */
export async function disableUser(
  pool: pg.Pool,
  name: string,
  at: Date,
): Promise<UserRecord | undefined> {
  return inTransaction(pool, "disable user", async (tx) => {
    await keepAnAdmin(tx, name);
    // A sign-in under way made its session before this lock (deleted below), or makes none.
    await lockUser(tx, { name });
    const { rows } = await tx.query<UserRow>(
      `WITH u AS (
       UPDATE lignee.users SET disabled_at = coalesce(disabled_at, $2)
       WHERE lower(name) = lower($1)
       RETURNING *),
     ended AS (
       DELETE FROM lignee.sessions s USING u WHERE s.user_id = u.id),
     revoked AS (
       UPDATE lignee.api_tokens t SET revoked_at = $2
       FROM u WHERE t.user_id = u.id AND t.revoked_at IS NULL)
     SELECT ${USER_COLUMNS} FROM u`,
      [name, at],
    );
    return rows[0] ? userOf(rows[0]) : undefined;
  });
}
