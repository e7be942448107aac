import type pg from "pg";
import { inTransaction } from "../transaction";
import type { OwnPasswordChange } from "./auth-store";
import { lockUser } from "./lock-user";

/**
 * A user's own change of its password, under its row's lock (see `lockUser`) and in one
 * statement: sets the new hash (changed at `at`) only while the user still has `currentHash`
 * (the one just verified) and is not disabled, ends all the user's sessions (the caller's too:
 * its cookie may be the one that leaked), makes the caller's new one (`newSecretHash`, until
 * `expiresAt`) and forgets its failed sign-ins. False: nothing changed (the password was set
 * meanwhile, or the user disabled).
 */
export async function changeOwnPassword(
  pool: pg.Pool,
  change: OwnPasswordChange,
): Promise<boolean> {
  return inTransaction(pool, "change own password", async (tx) => {
    await lockUser(tx, { id: change.userId });
    const { rows } = await tx.query<{ id: string }>(
      `WITH u AS (
         UPDATE lignee.users SET password_hash = $3, password_changed_at = $5
         WHERE id = $1::bigint AND password_hash = $2 AND disabled_at IS NULL
         RETURNING id, name),
       ended AS (
         DELETE FROM lignee.sessions s USING u WHERE s.user_id = u.id),
       renewed AS (
         INSERT INTO lignee.sessions (secret_hash, user_id, created_at, last_seen_at, expires_at)
         SELECT $4, u.id, $5, $5, $6 FROM u),
       forgotten AS (
         DELETE FROM lignee.sign_in_failures f USING u WHERE f.key = 'user:' || lower(u.name))
       SELECT id::text FROM u`,
      [
        change.userId,
        change.currentHash,
        change.passwordHash,
        change.newSecretHash,
        change.at,
        change.expiresAt,
      ],
    );
    return rows.length > 0;
  });
}
