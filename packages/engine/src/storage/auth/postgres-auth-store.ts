import type pg from "pg";
import type { Role, TokenScope } from "../../auth/roles";
import { connectPool } from "../transaction";
import { addUser } from "./add-user";
import type {
  ApiTokenRecord,
  AuditRecord,
  AuthStore,
  NewAuditRecord,
  OwnPasswordChange,
  SessionRecord,
  UserCredentials,
  UserRecord,
} from "./auth-store";
import { changeOwnPassword } from "./change-own-password";
import { clearSignInFailures } from "./clear-sign-in-failures";
import { createSession } from "./create-session";
import { createToken } from "./create-token";
import { deleteSession } from "./delete-session";
import { disableUser } from "./disable-user";
import { enableUser } from "./enable-user";
import { findUser } from "./find-user";
import { hasActiveUsers } from "./has-active-users";
import { listAudit } from "./list-audit";
import { listTokens } from "./list-tokens";
import { listUsers } from "./list-users";
import { recordAudit } from "./record-audit";
import { recordSignIn } from "./record-sign-in";
import { recordSignInFailure } from "./record-sign-in-failure";
import { releaseSignInAttempt } from "./release-sign-in-attempt";
import { reserveSignInAttempt, type SignInReservation } from "./reserve-sign-in-attempt";
import { revokeToken } from "./revoke-token";
import { setPassword } from "./set-password";
import { setRole } from "./set-role";
import { signInFailures } from "./sign-in-failures";
import { touchSession } from "./touch-session";
import { useToken } from "./use-token";

/** The auth store on PostgreSQL (see `AuthStore`). */
export class PostgresAuthStore implements AuthStore {
  private constructor(private readonly pool: pg.Pool) {}

  static connect(databaseUrl: string, options: { max?: number } = {}): PostgresAuthStore {
    return new PostgresAuthStore(connectPool(databaseUrl, options.max ?? 2));
  }

  addUser(user: {
    name: string;
    role: Role;
    passwordHash: string | null;
    at: Date;
  }): Promise<UserRecord> {
    return addUser(this.pool, user);
  }

  listUsers(): Promise<UserRecord[]> {
    return listUsers(this.pool);
  }

  findUser(name: string): Promise<UserCredentials | undefined> {
    return findUser(this.pool, name);
  }

  hasActiveUsers(): Promise<boolean> {
    return hasActiveUsers(this.pool);
  }

  disableUser(name: string, at: Date): Promise<UserRecord | undefined> {
    return disableUser(this.pool, name, at);
  }

  enableUser(name: string): Promise<{ user: UserRecord; changed: boolean } | undefined> {
    return enableUser(this.pool, name);
  }

  setPassword(name: string, passwordHash: string, at: Date): Promise<boolean> {
    return setPassword(this.pool, name, passwordHash, at);
  }

  changeOwnPassword(change: OwnPasswordChange): Promise<boolean> {
    return changeOwnPassword(this.pool, change);
  }

  setRole(name: string, role: Role): Promise<UserRecord | undefined> {
    return setRole(this.pool, name, role);
  }

  recordSignIn(userId: string, at: Date): Promise<void> {
    return recordSignIn(this.pool, userId, at);
  }

  createSession(session: {
    userId: string;
    passwordHash: string;
    secretHash: Buffer;
    at: Date;
    expiresAt: Date;
  }): Promise<boolean> {
    return createSession(this.pool, session);
  }

  touchSession(
    secretHash: Buffer,
    now: Date,
    idleMs: number,
    active?: boolean,
  ): Promise<SessionRecord | undefined> {
    return touchSession(this.pool, secretHash, now, idleMs, active);
  }

  deleteSession(secretHash: Buffer): Promise<void> {
    return deleteSession(this.pool, secretHash);
  }

  createToken(token: {
    userId: string;
    label: string;
    scope: TokenScope;
    secretHash: Buffer;
    at: Date;
  }): Promise<ApiTokenRecord> {
    return createToken(this.pool, token);
  }

  useToken(
    secretHash: Buffer,
    now: Date,
  ): Promise<{ token: ApiTokenRecord; user: UserRecord } | undefined> {
    return useToken(this.pool, secretHash, now);
  }

  listTokens(userName?: string): Promise<ApiTokenRecord[]> {
    return listTokens(this.pool, userName);
  }

  revokeToken(id: string, at: Date, userName?: string): Promise<ApiTokenRecord | undefined> {
    return revokeToken(this.pool, id, at, userName);
  }

  recordSignInFailure(keys: readonly string[], at: Date): Promise<void> {
    return recordSignInFailure(this.pool, keys, at);
  }

  signInFailures(
    keys: readonly string[],
    since: Date,
  ): Promise<Map<string, { count: number; oldest: Date }>> {
    return signInFailures(this.pool, keys, since);
  }

  reserveSignInAttempt(keys: readonly string[], at: Date, since: Date): Promise<SignInReservation> {
    return reserveSignInAttempt(this.pool, keys, at, since);
  }

  releaseSignInAttempt(reservation: SignInReservation): Promise<void> {
    return releaseSignInAttempt(this.pool, reservation.ids);
  }

  clearSignInFailures(key: string): Promise<void> {
    return clearSignInFailures(this.pool, key);
  }

  recordAudit(record: NewAuditRecord): Promise<AuditRecord> {
    return recordAudit(this.pool, record);
  }

  listAudit(options: {
    limit: number;
    before?: string;
    actor?: string;
    action?: string;
  }): Promise<AuditRecord[]> {
    return listAudit(this.pool, options);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
