import { ROLES, TOKEN_SCOPES, type Role, type TokenScope } from "../../../auth/roles";
import { userNameProblem } from "../../../auth/password";
import { AuthStoreError, quote } from "../../../errors";
import type { AuthStore, UserRecord } from "../../../storage/auth/auth-store";
import type { CliIo } from "../../context";

/** What the `lignee users` commands work with. */
export interface UsersCli {
  readonly store: AuthStore;
  readonly io: CliIo;
  /** Who the audit trail names: the OS user running the CLI. */
  readonly actor: string;
  readonly now: () => Date;
}

/** Records what a command did in the audit trail, under the OS user running the CLI. */
export async function auditCli(
  cli: UsersCli,
  action: string,
  target: string,
  detail: Readonly<Record<string, unknown>>,
  at: Date,
): Promise<void> {
  await cli.store.recordAudit({ actor: cli.actor, actorKind: "cli", action, target, detail, at });
}

/** The user of that name (whatever its case); `AuthStoreError` (UNKNOWN_USER) when none. */
export async function existingUser(store: AuthStore, name: string): Promise<UserRecord> {
  const found = await store.findUser(name);
  if (!found) throw new AuthStoreError("UNKNOWN_USER", `no user named ${quote(name)}`);
  return found.user;
}

export function requireUserName(name: string): void {
  const problem = userNameProblem(name);
  if (problem) throw new AuthStoreError("INVALID_USER", `${quote(name)}: ${problem}`);
}

export function requireRole(role: string): Role {
  if ((ROLES as readonly string[]).includes(role)) return role as Role;
  throw new AuthStoreError(
    "INVALID_USER",
    `unknown role ${quote(role)} (roles: ${ROLES.join(", ")})`,
  );
}

export function requireScope(scope: string): TokenScope {
  if ((TOKEN_SCOPES as readonly string[]).includes(scope)) return scope as TokenScope;
  throw new AuthStoreError(
    "INVALID_USER",
    `unknown scope ${quote(scope)} (scopes: ${TOKEN_SCOPES.join(", ")})`,
  );
}

/** A date as the tables show it: `2026-03-01 10:00Z`, or `-`. */
export function shortDate(date: Date | null): string {
  if (!date) return "-";
  return `${date.toISOString().slice(0, 16).replace("T", " ")}Z`;
}

/**
 * Rethrows a store's refusal of a user who is no admin while no admin is active (NEEDS_ADMIN)
 * with `hint`, what to do from the command line; any other error as it is.
 *
 * @example
 * await cli.store.addUser(user).catch(needsAdminHint("add one with --role admin"));
 */
export function needsAdminHint(hint: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof AuthStoreError && error.code === "NEEDS_ADMIN") {
      throw new AuthStoreError("NEEDS_ADMIN", `${error.message}: ${hint}`);
    }
    throw error;
  };
}
