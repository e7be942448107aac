import type { Hono } from "hono";
import type { z } from "zod";
import { hashPassword, passwordProblem, userNameProblem } from "../auth/password";
import { quote } from "../errors";
import type { AuthStore, UserRecord } from "../storage/auth/auth-store";
import { audit } from "./auth/audit";
import { HttpError } from "./http-error";
import { jsonBody } from "./json-body";
import {
  PasswordRequestBody,
  RoleRequestBody,
  UserCreateRequestBody,
  type UserBody,
} from "./schemas";

export interface UserRoutesOptions {
  /** Without it, the users endpoints answer 404. */
  readonly store: AuthStore | undefined;
}

/**
 * `/api/users` (admins): list, add, disable (its sessions end and its tokens are revoked at
 * once), enable (it may sign in again; its revoked tokens stay revoked), set a password (its
 * sessions end), set a role. The last active admin cannot be
 * disabled or lose the role (the store refuses, 409): nobody could administer the server any
 * more.
 */
export function registerUserRoutes(app: Hono, options: UserRoutesOptions): void {
  const store = (): AuthStore => {
    if (!options.store) throw new HttpError(404, "users are not available on this server");
    return options.store;
  };
  const unknown = (name: string) => new HttpError(404, `unknown user ${quote(name)}`);
  app.get("/api/users", async (c) => c.json({ users: (await store().listUsers()).map(userView) }));

  app.post("/api/users", async (c) => {
    const body = UserCreateRequestBody.parse(await jsonBody(c));
    const problem = userNameProblem(body.name) ?? passwordProblem(body.password);
    if (problem !== undefined) throw new HttpError(400, problem);
    const user = await store().addUser({
      name: body.name,
      role: body.role,
      passwordHash: await hashPassword(body.password),
      at: new Date(),
    });
    await audit(c, "user.add", user.name, { role: user.role });
    return c.json(userView(user), 201);
  });

  app.post("/api/users/:name/disable", async (c) => {
    const name = c.req.param("name");
    const user = await store().disableUser(name, new Date());
    if (!user) throw unknown(name);
    await audit(c, "user.disable", user.name);
    return c.json(userView(user));
  });

  app.post("/api/users/:name/enable", async (c) => {
    const name = c.req.param("name");
    const enabled = await store().enableUser(name);
    if (!enabled) throw unknown(name);
    // An active user is left as it is: nothing done, nothing recorded.
    if (enabled.changed) await audit(c, "user.enable", enabled.user.name);
    return c.json(userView(enabled.user));
  });

  app.put("/api/users/:name/password", async (c) => {
    const name = c.req.param("name");
    const { password } = PasswordRequestBody.parse(await jsonBody(c));
    const problem = passwordProblem(password);
    if (problem !== undefined) throw new HttpError(400, problem);
    const found = await store().findUser(name);
    if (!found || !(await store().setPassword(name, await hashPassword(password), new Date()))) {
      throw unknown(name);
    }
    await audit(c, "user.set-password", found.user.name);
    return c.body(null, 204);
  });

  app.put("/api/users/:name/role", async (c) => {
    const name = c.req.param("name");
    const { role } = RoleRequestBody.parse(await jsonBody(c));
    const user = await store().setRole(name, role);
    if (!user) throw unknown(name);
    await audit(c, "user.set-role", user.name, { role });
    return c.json(userView(user));
  });
}

function userView(user: UserRecord): z.input<typeof UserBody> {
  return {
    name: user.name,
    role: user.role,
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt.toISOString(),
    lastSignInAt: user.lastSignInAt?.toISOString() ?? null,
  };
}
