import type { Context } from "hono";
import type { Role } from "../../auth/roles";
import type { LaunchedBy } from "../../storage/launched-by";
import type { ActorKind } from "../../storage/auth/auth-store";

/**
 * Who is calling, as `authenticate` recognised it:
 * - `local`: the loopback single-user mode (no user, no service token): every role;
 * - `session`: a signed-in browser (the `lignee_session` cookie);
 * - `token`: a user's API token (`Authorization: Bearer lgn_…`), with its scope's role;
 * - `service`: the service token (`LIGNEE_API_TOKEN`), the operator's own key: admin.
 */
export interface Principal {
  readonly via: "local" | "session" | "token" | "service";
  /** The user's name; `service token` for the service token; null in local mode. */
  readonly name: string | null;
  readonly role: Role;
  readonly userId?: string;
  readonly tokenId?: string;
  /** The label of the user's token it called with (`via: "token"`). */
  readonly tokenLabel?: string;
}

/** What the service token is called where a name is shown (launchedBy, the audit trail). */
export const SERVICE_NAME = "service token";

export const LOCAL_PRINCIPAL: Principal = { via: "local", name: null, role: "admin" };
export const SERVICE_PRINCIPAL: Principal = { via: "service", name: SERVICE_NAME, role: "admin" };

declare module "hono" {
  interface ContextVariableMap {
    /** Set by `authenticate` for every request it lets through, except public routes' anonymous callers. */
    principal: Principal | undefined;
  }
}

/** The caller of this request, when one was recognised. */
export function principalOf(c: Context): Principal | undefined {
  return c.get("principal");
}

/** What a run launched by this request records: `api` and the caller's name (null when local). */
export function launchedByOf(c: Context): LaunchedBy {
  return { kind: "api", detail: principalOf(c)?.name ?? null };
}

/** The audit trail's actor of a principal. */
export function actorOf(principal: Principal | undefined): {
  actor: string;
  actorKind: ActorKind;
} {
  switch (principal?.via) {
    case "session":
      return { actor: principal.name ?? "", actorKind: "user" };
    case "token":
      return { actor: principal.name ?? "", actorKind: "token" };
    case "service":
      return { actor: SERVICE_NAME, actorKind: "service" };
    default:
      return { actor: "local", actorKind: "local" };
  }
}
