import type pg from "pg";
import type { Role } from "../../auth/roles";
import { AuthStoreError, quote } from "../../errors";
import { inTransaction } from "../transaction";
import type { UserRecord } from "./auth-store";
import { adminFirst } from "./keep-an-admin";
import { USER_COLUMNS, userOf, type UserRow } from "./user-row";

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = "23505";

/**
 * Adds a user; `AuthStoreError` CONFLICT when the name is taken, whatever its case, and
 * NEEDS_ADMIN for a user who is no admin while no admin is active (read under the admins'
 * lock, so no parallel change slips in between).
 */
export async function addUser(
  pool: pg.Pool,
  user: { name: string; role: Role; passwordHash: string | null; at: Date },
): Promise<UserRecord> {
  try {
    return await inTransaction(pool, "add user", async (tx) => {
      await adminFirst(tx, user.role);
      const { rows } = await tx.query<UserRow>(
        `INSERT INTO lignee.users AS u (name, role, password_hash, created_at)
         VALUES ($1, $2, $3, $4)
         RETURNING ${USER_COLUMNS}`,
        [user.name, user.role, user.passwordHash, user.at],
      );
      return userOf(rows[0]!);
    });
  } catch (error) {
    // Wrapped by the transaction (a STORAGE error) with PostgreSQL's as its cause.
    const cause = (error as { cause?: unknown }).cause ?? error;
    if ((cause as { code?: unknown }).code === UNIQUE_VIOLATION) {
      throw new AuthStoreError("CONFLICT", `a user named ${quote(user.name)} already exists`);
    }
    throw error;
  }
}
