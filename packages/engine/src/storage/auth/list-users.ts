import type { Queryable } from "../runs/queryable";
import type { UserRecord } from "./auth-store";
import { USER_COLUMNS, userOf, type UserRow } from "./user-row";

/** Every user, disabled ones too, by name. */
export async function listUsers(db: Queryable): Promise<UserRecord[]> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM lignee.users u ORDER BY lower(u.name)`,
  );
  return rows.map(userOf);
}
