import type { Role } from "../../auth/roles";
import type { Queryable } from "../runs/queryable";
import type { UserRecord } from "./auth-store";
import { USER_COLUMNS, userOf, type UserRow } from "./user-row";

/** Gives the user another role (its sessions and tokens act with it from their next request). */
export async function setRole(
  db: Queryable,
  name: string,
  role: Role,
): Promise<UserRecord | undefined> {
  const { rows } = await db.query<UserRow>(
    `UPDATE lignee.users u SET role = $2 WHERE lower(u.name) = lower($1)
     RETURNING ${USER_COLUMNS}`,
    [name, role],
  );
  return rows[0] ? userOf(rows[0]) : undefined;
}
