import type { Role, TokenScope } from "../../auth/roles";
import type { SignInReservation } from "./reserve-sign-in-attempt";

export type { SignInReservation };

/** A user as stored: never its password hash (see `UserCredentials`). */
export interface UserRecord {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly disabledAt: Date | null;
  readonly createdAt: Date;
  readonly lastSignInAt: Date | null;
}

/** A user with its password hash (null: no password, it cannot sign in), for signing in. */
export interface UserCredentials {
  readonly user: UserRecord;
  readonly passwordHash: string | null;
}

/** A session found by its secret's hash, still within its idle and absolute expiry. */
export interface SessionRecord {
  readonly user: UserRecord;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
}

export interface ApiTokenRecord {
  readonly id: string;
  readonly userName: string;
  readonly label: string;
  readonly scope: TokenScope;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** Who did something: a signed-in user, a user's token, the service token, the loopback mode, the CLI. */
export const ACTOR_KINDS = ["user", "token", "service", "local", "cli"] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** One line of the audit trail. */
export interface AuditRecord {
  readonly id: string;
  readonly at: Date;
  readonly actor: string;
  readonly actorKind: ActorKind;
  /** `run.launch`, `run.cancel`, `automation.disable`, `user.add`, `session.sign-in`… */
  readonly action: string;
  /** What it was done to: a run id, a schedule name, a user name; null when nothing. */
  readonly target: string | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

export type NewAuditRecord = Omit<AuditRecord, "id" | "at"> & { readonly at?: Date };

/**
 * Users, their sessions and tokens, failed sign-ins and the audit trail, in PostgreSQL.
 * Secrets never reach it: sessions and tokens are found by the SHA-256 of their secret,
 * passwords are stored as hashes made by `auth/password.ts`.
 */
/** What `AuthStore.changeOwnPassword` is given: the user, the hash it proved, its new one, its new session. */
export interface OwnPasswordChange {
  readonly userId: string;
  readonly currentHash: string;
  readonly passwordHash: string;
  readonly newSecretHash: Buffer;
  readonly at: Date;
  readonly expiresAt: Date;
}

export interface AuthStore {
  /** Throws `AuthStoreError` ("CONFLICT") when the name is taken. */
  addUser(user: {
    name: string;
    role: Role;
    passwordHash: string | null;
    at: Date;
  }): Promise<UserRecord>;
  listUsers(): Promise<UserRecord[]>;
  findUser(name: string): Promise<UserCredentials | undefined>;
  /** Is there a user not disabled? (Then the API needs a sign-in, even on loopback.) */
  hasActiveUsers(): Promise<boolean>;
  /**
   * Disables the user, ends its sessions and revokes its tokens, in one transaction. Throws
   * `AuthStoreError` ("LAST_ADMIN") for the last active admin (also against parallel changes).
   */
  disableUser(name: string, at: Date): Promise<UserRecord | undefined>;
  /**
   * Enables a disabled user: it may sign in again; the tokens revoked when it was disabled stay
   * revoked. `changed` false: it was active already. Throws `AuthStoreError` ("NEEDS_ADMIN") for
   * a user who is no admin while no admin is active. Undefined: no such user.
   */
  enableUser(name: string): Promise<{ user: UserRecord; changed: boolean } | undefined>;
  /**
   * Sets the password (changed at `at`), ends the user's sessions and forgets its failed
   * sign-ins (`user:<name>`), in one statement under the user's row lock (a sign-in with the
   * old password under way makes no session that outlives it); false: no such user.
   */
  setPassword(name: string, passwordHash: string, at: Date): Promise<boolean>;
  /**
   * A signed-in user's change of its own password, in one statement under the user's row lock:
   * only while it still has `currentHash` (the one it proved) and is not disabled; ends all its
   * sessions, makes the caller's new one (`newSecretHash`, until `expiresAt`) and forgets its
   * failed sign-ins. False: nothing changed.
   */
  changeOwnPassword(change: OwnPasswordChange): Promise<boolean>;
  /** Throws `AuthStoreError` ("LAST_ADMIN") when it would leave no active admin. */
  setRole(name: string, role: Role): Promise<UserRecord | undefined>;
  recordSignIn(userId: string, at: Date): Promise<void>;

  /**
   * A new session, only if the user still has `passwordHash` (the one the sign-in verified)
   * and is not disabled; false: none was made.
   */
  createSession(session: {
    userId: string;
    passwordHash: string;
    secretHash: Buffer;
    at: Date;
    expiresAt: Date;
  }): Promise<boolean>;
  /**
   * The session of this secret if it is not past `expiresAt`, was seen after `now - idleMs`,
   * and its user is not disabled; marks it seen (its row is rewritten at most once a minute).
   * One round trip.
   */
  touchSession(
    secretHash: Buffer,
    now: Date,
    idleMs: number,
    /** False: found, not marked seen (a request nobody asked for, e.g. a page polling). */
    active?: boolean,
  ): Promise<SessionRecord | undefined>;
  deleteSession(secretHash: Buffer): Promise<void>;

  createToken(token: {
    userId: string;
    label: string;
    scope: TokenScope;
    secretHash: Buffer;
    at: Date;
  }): Promise<ApiTokenRecord>;
  /** The token of this secret, not revoked, of a user not disabled; marks it used. One round trip. */
  useToken(
    secretHash: Buffer,
    now: Date,
  ): Promise<{ token: ApiTokenRecord; user: UserRecord } | undefined>;
  /** Every token (revoked ones too), newest first; of one user when named. */
  listTokens(userName?: string): Promise<ApiTokenRecord[]>;
  /**
   * Revokes a token (of that user only, when named): the token as revoked; undefined: none
   * such, or already revoked.
   */
  revokeToken(id: string, at: Date, userName?: string): Promise<ApiTokenRecord | undefined>;

  /** Records one failed sign-in under each key (`user:alice`, `address:192.0.2.1`). */
  recordSignInFailure(keys: readonly string[], at: Date): Promise<void>;
  /** Per key, the failures since `since` and the oldest of them. */
  signInFailures(
    keys: readonly string[],
    since: Date,
  ): Promise<Map<string, { count: number; oldest: Date }>>;
  /**
   * Records an attempt as a failure under each key before its password is checked, and
   * answers the failures before it since `since` (oldest first, per key); attempts on the same
   * keys are counted one after the other, parallel ones included.
   */
  reserveSignInAttempt(keys: readonly string[], at: Date, since: Date): Promise<SignInReservation>;
  /** Forgets a reserved attempt that was not a failure (it succeeded, or was refused unchecked). */
  releaseSignInAttempt(reservation: SignInReservation): Promise<void>;
  /** Forgets a key's failures (after a successful sign-in). */
  clearSignInFailures(key: string): Promise<void>;

  recordAudit(record: NewAuditRecord): Promise<AuditRecord>;
  /**
   * Newest first; `before` is an id (the cursor of the next page); `actor` in any case;
   * `action`: that action, or the actions it is the prefix of before a dot (`token`:
   * `token.create`…).
   */
  listAudit(options: {
    limit: number;
    before?: string;
    actor?: string;
    action?: string;
  }): Promise<AuditRecord[]>;

  close(): Promise<void>;
}
