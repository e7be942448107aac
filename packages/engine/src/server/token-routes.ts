import type { Hono } from "hono";
import type { z } from "zod";
import { roleAtLeast, tokenScopeProblem } from "../auth/roles";
import { newTokenSecret, sha256, tokenLabelProblem } from "../auth/secrets";
import type { ApiTokenRecord, AuthStore } from "../storage/auth/auth-store";
import { audit } from "./auth/audit";
import { principalOf, type Principal } from "./auth/principal";
import { HttpError } from "./http-error";
import { jsonBody } from "./json-body";
import { TokenCreateRequestBody, TokensQuery, type ApiTokenBody } from "./schemas";

export interface TokenRoutesOptions {
  /** Without it, the tokens endpoints answer 404. */
  readonly store: AuthStore | undefined;
}

/**
 * `/api/tokens`: a user's API tokens — list (an admin may name any user with `?user=`, and
 * sees every token when it is no user itself: the service token, the local mode), create (the
 * secret is answered this once), revoke (its own; an admin any). Creating and revoking need a
 * signed-in user (or the service token, the local mode), not a user's token.
 */
export function registerTokenRoutes(app: Hono, options: TokenRoutesOptions): void {
  const store = (): AuthStore => {
    if (!options.store) throw new HttpError(404, "API tokens are not available on this server");
    return options.store;
  };
  const caller = (principal: Principal | undefined): Principal => {
    if (!principal) throw new HttpError(401, "sign-in required");
    return principal;
  };
  // A token making tokens could outlive its own revocation; one revoking could lock out its owner.
  const notByToken = (principal: Principal): void => {
    if (principal.via === "token") {
      throw new HttpError(403, "API tokens are managed after signing in, not with a token");
    }
  };

  app.get("/api/tokens", async (c) => {
    const principal = caller(principalOf(c));
    const { user } = TokensQuery.parse(c.req.query());
    const admin = roleAtLeast(principal.role, "admin");
    if (user !== undefined && !admin && user !== principal.name) {
      throw new HttpError(403, `your role (${principal.role}) may not list others' tokens`);
    }
    const owner = user ?? (principal.userId !== undefined ? principal.name! : undefined);
    const tokens = await store().listTokens(owner);
    return c.json({ tokens: tokens.map(tokenView) });
  });

  app.post("/api/tokens", async (c) => {
    const principal = caller(principalOf(c));
    notByToken(principal);
    const body = TokenCreateRequestBody.parse(await jsonBody(c));
    const problem = tokenLabelProblem(body.label);
    if (problem !== undefined) throw new HttpError(400, problem);
    if (principal.userId === undefined || principal.name === null) {
      throw new HttpError(409, "tokens belong to users: sign in as a user to create one");
    }
    const found = await store().findUser(principal.name);
    if (!found) throw new HttpError(409, "tokens belong to users: sign in as a user to create one");
    // A scope above the user's role is bad input (400); the token acts with the user's role
    // at each use, so a role lowered later lowers it too.
    const scopeProblem = tokenScopeProblem(found.user.role, body.scope);
    if (scopeProblem !== undefined) throw new HttpError(400, scopeProblem);
    const secret = newTokenSecret();
    const token = await store().createToken({
      userId: principal.userId,
      label: body.label,
      scope: body.scope,
      secretHash: sha256(secret),
      at: new Date(),
    });
    await audit(c, "token.create", token.id, {
      user: token.userName,
      label: token.label,
      scope: token.scope,
    });
    // The secret is answered this once: no cache keeps it.
    c.header("Cache-Control", "no-store");
    return c.json({ token: tokenView(token), secret }, 201);
  });

  app.delete("/api/tokens/:id", async (c) => {
    const principal = caller(principalOf(c));
    notByToken(principal);
    const id = c.req.param("id");
    const admin = roleAtLeast(principal.role, "admin");
    if (!admin && principal.name === null) throw new HttpError(404, "no such token");
    const revoked = await store().revokeToken(
      id,
      new Date(),
      admin ? undefined : (principal.name ?? undefined),
    );
    if (!revoked) throw new HttpError(404, "no such token (or already revoked)");
    await audit(c, "token.revoke", revoked.id, { user: revoked.userName, label: revoked.label });
    return c.body(null, 204);
  });
}

function tokenView(token: ApiTokenRecord): z.input<typeof ApiTokenBody> {
  return {
    id: token.id,
    user: token.userName,
    label: token.label,
    scope: token.scope,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}
