import type { Context, MiddlewareHandler } from "hono";
import type { AuthStore } from "../../storage/auth/auth-store";
import { actorOf } from "./principal";

/** Where a request's audit lines go: the app's auth store, and its log when writing fails. */
export interface AuditTrail {
  readonly store: AuthStore;
  readonly log: (message: string) => void;
}

declare module "hono" {
  interface ContextVariableMap {
    auditTrail: AuditTrail | undefined;
  }
}

/** Gives every request the app's audit trail (none: `audit` does nothing). */
export function withAuditTrail(trail: AuditTrail | undefined): MiddlewareHandler {
  return async (c, next) => {
    c.set("auditTrail", trail);
    await next();
  };
}

/**
 * Records, after it succeeded, what the caller of this request did: `run.launch` of run X.
 * Nothing without an auth store. The action is done when this is called: a failure to record
 * it is logged, not answered (the client would take the action for failed).
 *
 * @example
 * await audit(c, "run.cancel", run.id);
 */
export async function audit(
  c: Context,
  action: string,
  target: string | null,
  detail: Readonly<Record<string, unknown>> = {},
  actor: { actor: string; actorKind: ReturnType<typeof actorOf>["actorKind"] } = actorOf(
    c.get("principal"),
  ),
): Promise<void> {
  const trail = c.get("auditTrail");
  if (!trail) return;
  try {
    await trail.store.recordAudit({ ...actor, action, target, detail: withToken(c, detail) });
  } catch (error) {
    trail.log(`audit ${action} ${target ?? ""}: ${String(error)}`);
  }
}

/**
 * The detail of a line written by a user's token, naming the token (`{ token: "ci (#12)" }`):
 * the actor, `alice (token)`, says whose; this, which.
 */
function withToken(
  c: Context,
  detail: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const principal = c.get("principal");
  if (principal?.via !== "token" || principal.tokenId === undefined) return detail;
  return { ...detail, token: `${principal.tokenLabel ?? ""} (#${principal.tokenId})` };
}

/** The partitions a launch asked for, as its audit line records them (only the fields given). */
export function partitionsAsked(fields: {
  readonly partition?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly stale?: boolean | undefined;
}): Record<string, string | boolean> {
  const asked: Record<string, string | boolean> = {};
  if (fields.partition !== undefined) asked.partition = fields.partition;
  if (fields.from !== undefined) asked.from = fields.from;
  if (fields.to !== undefined) asked.to = fields.to;
  if (fields.stale !== undefined) asked.stale = fields.stale;
  return asked;
}

/** `{ merged: true }` for a launch merged into a run already queued (its audit line says so). */
export function mergedDetail(merged: boolean): { merged?: true } {
  return merged ? { merged: true } : {};
}
