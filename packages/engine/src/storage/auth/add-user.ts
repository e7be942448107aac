import type { Role } from "../../auth/roles";
import { AuthStoreError, quote } from "../../errors";
import type { Queryable } from "../runs/queryable";
import type { UserRecord } from "./auth-store";
import { USER_COLUMNS, userOf, type UserRow } from "./user-row";

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = "23505";

/** Adds a user; `AuthStoreError` (CONFLICT) when the name is taken, whatever its case. */
export async function addUser(
  db: Queryable,
  user: { name: string; role: Role; passwordHash: string | null; at: Date },
): Promise<UserRecord> {
  try {
    const { rows } = await db.query<UserRow>(
      `INSERT INTO lignee.users AS u (name, role, password_hash, created_at)
       VALUES ($1, $2, $3, $4)
       RETURNING ${USER_COLUMNS}`,
      [user.name, user.role, user.passwordHash, user.at],
    );
    return userOf(rows[0]!);
  } catch (error) {
    if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) {
      throw new AuthStoreError("CONFLICT", `a user named ${quote(user.name)} already exists`);
    }
    throw error;
  }
}
