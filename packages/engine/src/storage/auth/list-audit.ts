import type { Queryable } from "../runs/queryable";
import type { AuditRecord } from "./auth-store";
import { AUDIT_COLUMNS, auditOf, type AuditRow } from "./audit-row";

/**
 * Audit lines, newest first, of one actor (in any case) and/or one action when given (the
 * action, or those it is the prefix of before a dot: `token` is `token.create`,
 * `token.revoke`…); `before` (an id, the last one of the previous page) pages back. An id that
 * is not a number matches nothing. The prefix is a range in byte order (`.` then `/`), so that
 * `audit_events_action_c_idx` (action in the "C" collation, id) serves both filters.
 */
export async function listAudit(
  db: Queryable,
  options: { limit: number; before?: string; actor?: string; action?: string },
): Promise<AuditRecord[]> {
  if (options.before !== undefined && !/^[0-9]{1,18}$/.test(options.before)) return [];
  const { rows } = await db.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM lignee.audit_events a
     WHERE ($2::bigint IS NULL OR a.id < $2::bigint)
       AND ($3::text IS NULL OR lower(a.actor) = lower($3))
       AND ($4::text IS NULL
            OR a.action COLLATE "C" = $4
            OR (a.action COLLATE "C" > $4 || '.' AND a.action COLLATE "C" < $4 || '/'))
     ORDER BY a.id DESC
     LIMIT $1`,
    [options.limit, options.before ?? null, options.actor ?? null, options.action ?? null],
  );
  return rows.map(auditOf);
}
