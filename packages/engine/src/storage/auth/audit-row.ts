import type { ActorKind, AuditRecord } from "./auth-store";

/** The columns of `lignee.audit_events` (aliased `a`) an `AuditRecord` is made of. */
export const AUDIT_COLUMNS = `a.id::text AS id, a.at, a.actor, a.actor_kind AS "actorKind",
  a.action, a.target, a.detail`;

export interface AuditRow {
  readonly id: string;
  readonly at: Date;
  readonly actor: string;
  readonly actorKind: string;
  readonly action: string;
  readonly target: string | null;
  readonly detail: Record<string, unknown>;
}

export function auditOf(row: AuditRow): AuditRecord {
  return { ...row, actorKind: row.actorKind as ActorKind };
}
