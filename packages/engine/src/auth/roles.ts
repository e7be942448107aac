/**
 * Who may do what. Roles are ordered: each may do everything the ones before it may.
 * - viewer: read everything;
 * - operator: also materialise, cancel, re-execute, backfill, switch automation and checks;
 * - admin: also users, tokens and alert channels.
 */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/**
 * What an API token may do, whatever its user's role: `read` acts as a viewer, `operate` as an
 * operator at most (a token never administers).
 */
export const TOKEN_SCOPES = ["read", "operate"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Is `role` at least `needed`? */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** The lower of two roles. */
export function lowerRole(a: Role, b: Role): Role {
  return ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b;
}

/** The role a token acts with: its user's, capped by its scope. */
export function tokenRole(userRole: Role, scope: TokenScope): Role {
  return lowerRole(userRole, scope === "read" ? "viewer" : "operator");
}

/**
 * Why a user of `role` may not have a token of `scope`, or undefined when it may: a token
 * acts as its scope's role at most, and never above its user's (a viewer's tokens read).
 */
export function tokenScopeProblem(role: Role, scope: TokenScope): string | undefined {
  const acts: Role = scope === "read" ? "viewer" : "operator";
  if (roleAtLeast(role, acts)) return undefined;
  return `a ${role}'s tokens have scope read: scope ${scope} acts as an ${acts}`;
}
