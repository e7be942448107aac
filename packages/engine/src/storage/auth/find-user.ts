import type { Queryable } from "../runs/queryable";
import type { UserCredentials } from "./auth-store";
import { USER_COLUMNS, userOf, type UserRow } from "./user-row";

/** The user of this name, whatever its case, with its password hash. */
export async function findUser(db: Queryable, name: string): Promise<UserCredentials | undefined> {
  const { rows } = await db.query<UserRow & { passwordHash: string | null }>(
    `SELECT ${USER_COLUMNS}, u.password_hash AS "passwordHash"
     FROM lignee.users u WHERE lower(u.name) = lower($1)`,
    [name],
  );
  const row = rows[0];
  return row ? { user: userOf(row), passwordHash: row.passwordHash } : undefined;
}
