import type { Role } from "../../auth/roles";
import type { UserRecord } from "./auth-store";

/** The columns of `lignee.users` a `UserRecord` is made of, from the table aliased `u`. */
export const USER_COLUMNS = `u.id::text AS "userId", u.name AS "userName", u.role AS "userRole",
  u.disabled_at AS "userDisabledAt", u.created_at AS "userCreatedAt",
  u.last_sign_in_at AS "userLastSignInAt"`;

/** A row read with `USER_COLUMNS`. */
export interface UserRow {
  readonly userId: string;
  readonly userName: string;
  readonly userRole: string;
  readonly userDisabledAt: Date | null;
  readonly userCreatedAt: Date;
  readonly userLastSignInAt: Date | null;
}

export function userOf(row: UserRow): UserRecord {
  return {
    id: row.userId,
    name: row.userName,
    role: row.userRole as Role,
    disabledAt: row.userDisabledAt,
    createdAt: row.userCreatedAt,
    lastSignInAt: row.userLastSignInAt,
  };
}
