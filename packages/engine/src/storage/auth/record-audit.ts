import type { Queryable } from "../runs/queryable";
import type { AuditRecord, NewAuditRecord } from "./auth-store";
import { AUDIT_COLUMNS, auditOf, type AuditRow } from "./audit-row";

/** Appends a line to the audit trail: the only writer of `lignee.audit_events`' lines. */
export async function recordAudit(db: Queryable, record: NewAuditRecord): Promise<AuditRecord> {
  const { rows } = await db.query<AuditRow>(
    `INSERT INTO lignee.audit_events AS a (at, actor, actor_kind, action, target, detail)
     VALUES (coalesce($1, now()), $2, $3, $4, $5, $6::jsonb)
     RETURNING ${AUDIT_COLUMNS}`,
    [
      record.at ?? null,
      record.actor,
      record.actorKind,
      record.action,
      record.target,
      JSON.stringify(record.detail),
    ],
  );
  return auditOf(rows[0]!);
}
