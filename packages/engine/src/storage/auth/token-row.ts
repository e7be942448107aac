import type { TokenScope } from "../../auth/roles";
import type { ApiTokenRecord } from "./auth-store";

/** The columns of `lignee.api_tokens` (aliased `t`) and its user's name (`u`) a record is made of. */
export const TOKEN_COLUMNS = `t.id::text AS "tokenId", u.name AS "tokenUserName",
  t.label AS "tokenLabel", t.scope AS "tokenScope", t.created_at AS "tokenCreatedAt",
  t.last_used_at AS "tokenLastUsedAt", t.revoked_at AS "tokenRevokedAt"`;

/** A row read with `TOKEN_COLUMNS`. */
export interface TokenRow {
  readonly tokenId: string;
  readonly tokenUserName: string;
  readonly tokenLabel: string;
  readonly tokenScope: string;
  readonly tokenCreatedAt: Date;
  readonly tokenLastUsedAt: Date | null;
  readonly tokenRevokedAt: Date | null;
}

export function tokenOf(row: TokenRow): ApiTokenRecord {
  return {
    id: row.tokenId,
    userName: row.tokenUserName,
    label: row.tokenLabel,
    scope: row.tokenScope as TokenScope,
    createdAt: row.tokenCreatedAt,
    lastUsedAt: row.tokenLastUsedAt,
    revokedAt: row.tokenRevokedAt,
  };
}
